package repo

import (
	"iter"
	"strconv"
	"strings"
)

// DiffLine is a line of a file diff's hunks, numbered as GitLab numbers
// them (Gitlab::Diff::Parser): OldPos and NewPos are the line's place on
// each side (an added line keeps the old side's next number, a removed
// one the new side's), while OldLine and NewLine are 0 on the side the
// line is not on.
type DiffLine struct {
	OldPos, NewPos   int
	OldLine, NewLine int
	Added, Removed   bool
	Text             string // without its '+', '-' or ' '
}

// DiffLines yields the lines of diff's hunks (diff is a FileDiff's Diff)
// in order; lines outside a hunk and "\ No newline at end of file" are
// not diff lines.
func DiffLines(diff string) iter.Seq[DiffLine] {
	return func(yield func(DiffLine) bool) {
		var oldPos, newPos int
		inHunk := false
		for l := range strings.SplitSeq(diff, "\n") {
			if strings.HasPrefix(l, "@@") {
				o, n, ok := hunkStarts(l)
				oldPos, newPos, inHunk = o, n, ok
				continue
			}
			if !inHunk || l == "" {
				continue
			}
			d := DiffLine{OldPos: oldPos, NewPos: newPos, Text: l[1:]}
			switch l[0] {
			case '+':
				d.Added, d.NewLine = true, newPos
				newPos++
			case '-':
				d.Removed, d.OldLine = true, oldPos
				oldPos++
			case ' ':
				d.OldLine, d.NewLine = oldPos, newPos
				oldPos++
				newPos++
			default: // "\ No newline at end of file"
				continue
			}
			if !yield(d) {
				return
			}
		}
	}
}

// FindDiffLine returns the line of diff with exactly these old and new
// line numbers (0: not on that side), as GitLab's line_for_position
// matches them: an added line has only a new line, a removed one only an
// old line, an unchanged one both.
func FindDiffLine(diff string, oldLine, newLine int) (DiffLine, bool) {
	for d := range DiffLines(diff) {
		if d.OldLine == oldLine && d.NewLine == newLine {
			return d, true
		}
	}
	return DiffLine{}, false
}

// hunkStarts reads the first old and new line numbers of a hunk header
// "@@ -a[,b] +c[,d] @@" as GitLab's parser does: a and c, except that a
// side starting at 0 (a new or deleted file) counts from 1.
func hunkStarts(h string) (oldStart, newStart int, ok bool) {
	f := strings.Fields(h)
	if len(f) < 3 || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, false
	}
	start := func(s string) (int, bool) {
		s, _, _ = strings.Cut(s[1:], ",")
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, false
		}
		return max(n, 1), true
	}
	o, ok1 := start(f[1])
	n, ok2 := start(f[2])
	return o, n, ok1 && ok2
}
