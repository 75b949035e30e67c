// Package model holds lablet's domain records — users, namespaces,
// projects, members, tokens, OAuth grants — and the filters that select
// them. It imports no infrastructure: the store reads and writes these
// records, the service layer decides with them, and every adapter (REST,
// git, pages, OAuth) renders them, without any of them importing the
// others' packages.
package model
