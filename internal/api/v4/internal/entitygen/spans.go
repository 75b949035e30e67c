package entitygen

import (
	"go/ast"
	"strconv"
	"strings"
)

// Passes over the pieces before they are written as code.

// hoist moves what both branches of a choice begin or end with out of
// it: "/groups/" or "/" between the same base URL and namespace path
// becomes one choice of a literal.
func hoist(ps []piece) []piece {
	var out []piece
	for _, p := range ps {
		b, ok := p.(*branchPiece)
		if !ok {
			out = append(out, p)
			continue
		}
		then, els := hoist(b.then), hoist(b.els)
		var tail []piece
		for len(then) > 0 && len(els) > 0 && key(then[0]) == key(els[0]) {
			out = append(out, then[0])
			then, els = then[1:], els[1:]
		}
		for len(then) > 0 && len(els) > 0 && key(then[len(then)-1]) == key(els[len(els)-1]) {
			tail = append([]piece{then[len(then)-1]}, tail...)
			then, els = then[:len(then)-1], els[:len(els)-1]
		}
		if len(then) > 0 || len(els) > 0 {
			out = append(out, &branchPiece{cond: b.cond, then: then, els: els})
		}
		out = append(out, tail...)
	}
	return out
}

// fold joins adjacent literals.
func fold(ps []piece) []piece {
	var out []piece
	for _, p := range ps {
		switch p := p.(type) {
		case litPiece:
			if n := len(out); n > 0 {
				if last, ok := out[n-1].(litPiece); ok {
					out[n-1] = last + p
					continue
				}
			}
		case *branchPiece:
			out = append(out, &branchPiece{cond: p.cond, then: fold(p.then), els: fold(p.els)})
			continue
		}
		out = append(out, p)
	}
	return out
}

// key identifies what a piece writes.
func key(p piece) string {
	switch p := p.(type) {
	case litPiece:
		return "L" + string(p)
	case escPiece:
		return "E" + exprString(p.x)
	case callPiece:
		return "C" + callString(p.fn, p.args)
	case *branchPiece:
		return "B" + exprString(p.cond) + "{" + keys(p.then) + "}{" + keys(p.els) + "}"
	}
	panic("key of a mark or a copy")
}

func keys(ps []piece) string {
	ks := make([]string, len(ps))
	for i, p := range ps {
		ks[i] = key(p)
	}
	return strings.Join(ks, "\x00")
}

func callString(fn ast.Expr, args []ast.Expr) string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = exprString(a)
	}
	return exprString(fn) + "(" + strings.Join(s, ", ") + ")"
}

// A run of pieces that was written before, wherever it is certain to have
// been (earlier in the same block or in an enclosing one), is copied from
// dst rather than escaped or formatted again: the base URL, the project's
// path, its API URL, the topics.

// block is a list of pieces written one after the other.
type block struct {
	ps     []piece
	keys   []string
	limit  int               // how many of ps are written by now
	copies map[int]copyPiece // at a run's start: what replaces the run
	ends   map[int]int       // at a run's start: its end
	marks  map[int]int       // at a boundary: its mark
	kids   map[*branchPiece][2]*block
}

type spanner struct{ marks int }

// spans returns ps with recurring runs copied.
func spans(ps []piece) []piece {
	s := &spanner{}
	return s.build(s.walk(ps, nil))
}

func (s *spanner) walk(ps []piece, scope []*block) *block {
	b := &block{ps: ps, keys: make([]string, len(ps)), copies: map[int]copyPiece{}, ends: map[int]int{},
		marks: map[int]int{}, kids: map[*branchPiece][2]*block{}}
	for i, p := range ps {
		b.keys[i] = key(p)
	}
	scope = append(scope[:len(scope):len(scope)], b)
	for k := 0; k < len(ps); {
		b.limit = k
		if _, ok := ps[k].(litPiece); ok {
			k++
			continue
		}
		if src, i, n := longest(scope, b, k); n > 0 {
			b.copies[k] = copyPiece{from: src.mark(s, i), to: src.mark(s, i+n), what: describe(ps[k : k+n])}
			b.ends[k] = k + n
			k += n
			continue
		}
		if br, ok := ps[k].(*branchPiece); ok {
			b.kids[br] = [2]*block{s.walk(br.then, scope), s.walk(br.els, scope)}
		}
		k++
	}
	b.limit = len(ps)
	return b
}

// longest finds the longest run at b.ps[k:] written before in scope.
func longest(scope []*block, b *block, k int) (src *block, at, n int) {
	for _, c := range scope {
		for i := 0; i < c.limit; i++ {
			if !c.placeable(i) || c.keys[i] != b.keys[k] {
				continue
			}
			m := 1
			for k+m < len(b.ps) && i+m < c.limit && c.keys[i+m] == b.keys[k+m] {
				m++
			}
			for ; m > n; m-- {
				if _, lit := b.ps[k+m-1].(litPiece); !lit && c.placeable(i+m) && worthCopying(b.ps[k:k+m]) {
					src, at, n = c, i, m
					break
				}
			}
		}
	}
	return src, at, n
}

// worthCopying: a run that escapes or chooses, or formats more than one
// value; a lone number is as quickly formatted again.
func worthCopying(ps []piece) bool {
	values := 0
	for _, p := range ps {
		switch p.(type) {
		case escPiece, *branchPiece:
			return true
		case callPiece:
			values++
		}
	}
	return values > 1
}

// placeable: a mark can go at boundary i, which is not inside a copy.
func (b *block) placeable(i int) bool {
	for start, end := range b.ends {
		if start < i && i < end {
			return false
		}
	}
	return true
}

func (b *block) mark(s *spanner, i int) int {
	if id, ok := b.marks[i]; ok {
		return id
	}
	s.marks++
	b.marks[i] = s.marks
	return s.marks
}

// build writes b's pieces with its marks and copies.
func (s *spanner) build(b *block) []piece {
	var out []piece
	for i := 0; i <= len(b.ps); {
		if id, ok := b.marks[i]; ok {
			out = append(out, markPiece{id})
		}
		if i == len(b.ps) {
			break
		}
		if c, ok := b.copies[i]; ok {
			out = append(out, c)
			i = b.ends[i]
			continue
		}
		p := b.ps[i]
		if br, ok := p.(*branchPiece); ok {
			if kids, ok := b.kids[br]; ok {
				p = &branchPiece{cond: br.cond, then: s.build(kids[0]), els: s.build(kids[1])}
			}
		}
		out = append(out, p)
		i++
	}
	return out
}

// describe is what a run writes, for a comment.
func describe(ps []piece) string {
	var parts []string
	for _, p := range ps {
		switch p := p.(type) {
		case litPiece:
			parts = append(parts, strconv.Quote(string(p)))
		case escPiece:
			parts = append(parts, exprString(p.x))
		case callPiece:
			parts = append(parts, p.what)
		case *branchPiece:
			parts = append(parts, "(choice on "+exprString(p.cond)+")")
		}
	}
	return strings.Join(parts, " + ")
}
