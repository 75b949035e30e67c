package store

import (
	"strings"
	"unicode"
)

// searchable is a table whose text is indexed for full-text search:
// SQLite keeps an FTS5 table beside it, PostgreSQL a GIN index over the
// tsvector expression (migrations 0020_search.*.sql; the expression here
// must be the indexed one; qualifying its columns with the table changes
// nothing the planner compares).
type searchable struct {
	table     string // the searched table, as the query names it
	sqliteFTS string // its FTS5 table (rowid = the row's id)
	pgVector  string // the indexed tsvector expression
}

// The searchable tables.
var (
	issueText     = searchable{"issues", "issues_fts", "to_tsvector('simple', issues.title || ' ' || issues.description)"}
	noteText      = searchable{"notes", "notes_fts", "to_tsvector('simple', notes.body)"}
	milestoneText = searchable{"milestones", "milestones_fts", "to_tsvector('simple', milestones.title || ' ' || milestones.description)"}
)

// maxSearchTerms bounds the words of one search.
const maxSearchTerms = 16

// searchTerms splits text into the words a full-text search looks for:
// runs of letters and digits, lowercased, at most maxSearchTerms.
func searchTerms(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) > maxSearchTerms {
		words = words[:maxSearchTerms]
	}
	return words
}

// fullText appends "the row's text holds every word of text, each as the
// start of a word" over the table's full-text index: FTS5 MATCH on SQLite,
// @@ to_tsquery on PostgreSQL. Text without any word matches nothing.
func (c *conds) fullText(d Dialect, s searchable, text string) {
	c.fullTextMatch(d, s, text, false)
}

// fullTextMatch is fullText; driven says that on SQLite the FTS5 table is
// in the FROM (searchable.driving), so the condition is its MATCH rather
// than a set of ids.
func (c *conds) fullTextMatch(d Dialect, s searchable, text string, driven bool) {
	terms := searchTerms(text)
	if len(terms) == 0 {
		c.add("1 = 0")
		return
	}
	if d == Postgres {
		for i, t := range terms {
			terms[i] = t + ":*"
		}
		c.add(s.pgVector+" @@ to_tsquery('simple', ?)", strings.Join(terms, " & "))
		return
	}
	for i, t := range terms {
		terms[i] = `"` + t + `"*`
	}
	if driven {
		c.add(s.sqliteFTS+" MATCH ?", strings.Join(terms, " "))
		return
	}
	c.add(s.table+".id IN (SELECT rowid FROM "+s.sqliteFTS+" WHERE "+s.sqliteFTS+" MATCH ?)", strings.Join(terms, " "))
}

// driving returns the start of a search's FROM over s and the column its
// pages are ordered by. On SQLite the FTS5 table drives, in rowid (= id)
// order, which it yields without sorting: a page, and the capped count,
// stop after the matches they need instead of first collecting every
// match — a common word is in tens of thousands of issues. On PostgreSQL
// the table itself, whose primary key serves the order.
func (s searchable) driving(d Dialect) (from, order string) {
	if d == Postgres {
		return " FROM " + s.table, s.table + ".id"
	}
	return " FROM " + s.sqliteFTS + " JOIN " + s.table + " ON " + s.table + ".id = " + s.sqliteFTS + ".rowid",
		s.sqliteFTS + ".rowid"
}
