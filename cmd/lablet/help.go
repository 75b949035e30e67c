package main

import (
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/config"
)

const exitStatusHelp = `
Exit status: 0 on success, 2 for a bad command line, flag or setting, 1 for
any other failure.
`

func topHelp() string {
	var b strings.Builder
	b.WriteString(usage)
	b.WriteString("\n\"lablet serve\" reads every setting below; \"lablet token create\" and\n\"lablet backup\" read --data-dir and --database-url.\n\n")
	config.WriteHelp(&b, config.Serve)
	b.WriteString(exitStatusHelp)
	return b.String()
}

func serveHelp() string {
	var b strings.Builder
	b.WriteString(`Usage: lablet serve [flags]

Runs the server: the REST API at /api/v4, git over HTTP, the pages and
OAuth. It binds its address first; on first start it then creates the data
dir, the database and the administrator root. SIGINT or SIGTERM stops it
cleanly: requests in flight finish first (up to 30 s).

`)
	config.WriteHelp(&b, config.Serve)
	b.WriteString(exitStatusHelp)
	return b.String()
}

func backupHelp() string {
	var b strings.Builder
	b.WriteString(`Usage:
  lablet backup create [--to FILE] [--incremental-from PREVIOUS] [--without-object-store] [flags]
  lablet backup verify FILE
  lablet backup restore FILE [flags]

create writes a backup of the instance at the data dir and database below
while "lablet serve" keeps serving: the database (SQLite's VACUUM INTO, or
pg_dump for PostgreSQL), every repository (refs, then their objects, under
the repository's maintenance lock), blobs (uploads, artifacts, LFS objects)
and the signing and SSH host keys, in one tar file that ends with a
manifest of SHA-256 checksums. FILE must not exist; by default it is
lablet-backup-<UTC time>.tar in the working directory. One backup of a data
dir runs at a time. With --incremental-from, repository objects that the
backup PREVIOUS holds already are referred to, not copied (the database and
other files are copied whole); restore then needs PREVIOUS, and whatever it
builds on, beside FILE under the same names. When --object-store-url is
set, blobs live in the bucket, which a backup does not copy: create refuses
unless --without-object-store says the bucket is backed up on its own.

verify reads FILE whole and checks every file against the manifest (and
the backups an incremental one builds on).

restore verifies FILE, then restores it into the data dir and database
below, which must be empty (no data dir, or an empty one; no lablet tables
in the database, which for PostgreSQL must exist). A backup of a newer
lablet, a damaged file or a non-empty target is refused and nothing is
written. A PostgreSQL backup needs pg_dump and pg_restore.

A terminal shows a progress bar; otherwise each step logs one line.

Flags:
`)
	config.WriteEntry(&b, "--to FILE", "", "lablet-backup-<time>.tar", "create: where the backup goes")
	config.WriteEntry(&b, "--incremental-from PREVIOUS", "", "none", "create: an earlier backup whose repository objects this one refers to")
	config.WriteEntry(&b, "--without-object-store", "", "false", "create: with --object-store-url, back up all but the bucket's blobs (back the bucket up with the object store's tools)")
	b.WriteString("\n")
	config.WriteHelp(&b, config.Storage)
	b.WriteString(exitStatusHelp)
	return b.String()
}

// tokenFlags are token create's own flags, for its help.
var tokenFlags = []struct{ name, def, usage string }{
	{"--user NAME", "root", "username of the token's owner"},
	{"--name NAME", "none, required", "the token's name"},
	{"--scopes LIST", "api", "comma-separated scopes: " + strings.Join(auth.PersonalScopes, ", ")},
	{"--expires-at DATE", "none", "expiry date, YYYY-MM-DD, in the future"},
}

func tokenCreateHelp() string {
	var b strings.Builder
	b.WriteString(`Usage: lablet token create --name NAME [flags]

Prints a new personal access token of a user of an existing instance, also
while "lablet serve" runs on it. It never creates an instance: without one
at the data dir and database below it fails and creates nothing.

Flags:
`)
	for _, f := range tokenFlags {
		config.WriteEntry(&b, f.name, "", f.def, f.usage)
	}
	b.WriteString("\n")
	config.WriteHelp(&b, config.Storage)
	b.WriteString(exitStatusHelp)
	return b.String()
}

const versionHelp = `Usage: lablet version

Prints lablet's version. It takes no flags and reads no settings.
`
