package repo

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Signature is an author, committer or tagger.
type Signature struct {
	Name  string
	Email string
	Date  time.Time // zero means "now" when writing
}

// Commit is a parsed commit object.
type Commit struct {
	ID        string
	Tree      string
	Parents   []string
	Author    Signature
	Committer Signature
	Message   string // full message as stored
	Title     string // first line of Message
}

// TreeEntry is one entry of a tree listing.
type TreeEntry struct {
	ID   string
	Name string
	Type string // "blob", "tree" or "commit" (submodule)
	Path string // repository-relative
	Mode string // six octal digits, as GitLab shows them: "100644", "040000"
}

// Blob is a file read at a revision.
type Blob struct {
	ID      string
	Name    string
	Path    string
	Mode    string
	Size    int64
	Content []byte
}

func parseCommit(id string, data []byte) (*Commit, error) {
	c := &Commit{ID: id}
	hdr, msg, _ := bytes.Cut(data, []byte("\n\n"))
	for _, line := range strings.Split(string(hdr), "\n") {
		if strings.HasPrefix(line, " ") {
			continue // continuation of a multi-line header (gpgsig, mergetag)
		}
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "tree":
			c.Tree = v
		case "parent":
			c.Parents = append(c.Parents, v)
		case "author":
			c.Author = parseSignature(v)
		case "committer":
			c.Committer = parseSignature(v)
		}
	}
	if c.Tree == "" {
		return nil, fmt.Errorf("commit %s: no tree header", id)
	}
	c.Message = string(msg)
	c.Title = commitTitle(c.Message)
	return c, nil
}

func commitTitle(msg string) string {
	msg = strings.TrimLeft(msg, "\n")
	title, _, _ := strings.Cut(msg, "\n")
	return strings.TrimSpace(title)
}

// parseSignature parses "Name <email> 1700000000 +0100".
func parseSignature(v string) Signature {
	var s Signature
	lt := strings.IndexByte(v, '<')
	gt := strings.LastIndexByte(v, '>')
	if lt < 0 || gt < lt {
		s.Name = strings.TrimSpace(v)
		return s
	}
	s.Name = strings.TrimSpace(v[:lt])
	s.Email = v[lt+1 : gt]
	f := strings.Fields(v[gt+1:])
	if len(f) >= 1 {
		if sec, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			s.Date = time.Unix(sec, 0).UTC()
			if len(f) >= 2 {
				if loc, ok := parseTZ(f[1]); ok {
					s.Date = s.Date.In(loc)
				}
			}
		}
	}
	return s
}

func parseTZ(tz string) (*time.Location, bool) {
	if len(tz) != 5 || (tz[0] != '+' && tz[0] != '-') {
		return nil, false
	}
	h, err1 := strconv.Atoi(tz[1:3])
	m, err2 := strconv.Atoi(tz[3:5])
	if err1 != nil || err2 != nil {
		return nil, false
	}
	off := h*3600 + m*60
	if tz[0] == '-' {
		off = -off
	}
	return time.FixedZone("", off), true
}

// formatSignatureDate renders a date the way git stores it ("@<unix> +hhmm").
func formatSignatureDate(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return fmt.Sprintf("@%d %s", t.Unix(), t.Format("-0700"))
}

// rawEntry is one entry of a tree object.
type rawEntry struct {
	mode string // as stored: "100644", "40000", ...
	name string
	oid  string
}

// parseTree decodes a binary tree object: "<mode> <name>\0<raw id>"...
func parseTree(data []byte, idLen int) ([]rawEntry, error) {
	var out []rawEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+1+idLen {
			return nil, fmt.Errorf("malformed tree object")
		}
		out = append(out, rawEntry{
			mode: string(data[:sp]),
			name: string(data[sp+1 : nul]),
			oid:  hex.EncodeToString(data[nul+1 : nul+1+idLen]),
		})
		data = data[nul+1+idLen:]
	}
	return out, nil
}

// entryType maps a tree mode to its object type.
func entryType(mode string) string {
	switch {
	case mode == "40000" || mode == "040000":
		return "tree"
	case mode == "160000":
		return "commit"
	default:
		return "blob"
	}
}

// displayMode pads a stored mode to six digits ("40000" -> "040000").
func displayMode(mode string) string {
	if len(mode) < 6 {
		return strings.Repeat("0", 6-len(mode)) + mode
	}
	return mode
}
