package store

import "strings"

// conds is the WHERE clause of a list query being built: its conditions
// and their arguments, in order. Every List* query builds its filters with
// one, so each filter is one line and the clause is joined in one place.
type conds struct {
	list []string
	args []any
}

// add appends cond, with the arguments of its placeholders.
func (c *conds) add(cond string, args ...any) {
	c.list = append(c.list, cond)
	c.args = append(c.args, args...)
}

// search appends a case-insensitive substring match of text on any of
// columns, LIKE wildcards in text escaped.
func (c *conds) search(text string, columns ...string) {
	pat := likeEscape(text)
	parts := make([]string, len(columns))
	for i, col := range columns {
		parts[i] = "lower(" + col + `) LIKE ? ESCAPE '\'`
		c.args = append(c.args, pat)
	}
	c.list = append(c.list, "("+strings.Join(parts, " OR ")+")")
}

// in appends "column IN (…)" (or NOT IN) over ids.
func (c *conds) in(column string, not bool, ids []int64) {
	op := " IN ("
	if not {
		op = " NOT IN ("
	}
	c.list = append(c.list, column+op+placeholders(len(ids))+")")
	for _, id := range ids {
		c.args = append(c.args, id)
	}
}

// where is " WHERE a AND b …", or "" without conditions.
func (c *conds) where() string {
	if len(c.list) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.list, " AND ")
}
