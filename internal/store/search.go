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
	c.add(s.table+".id IN (SELECT rowid FROM "+s.sqliteFTS+" WHERE "+s.sqliteFTS+" MATCH ?)", strings.Join(terms, " "))
}
