package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/model"
)

// Issue list pages are kept by their statement and arguments — which hold
// the viewer, the filters and the page, so equal keys select the same
// rows — under the versions of everything they are read from: the
// planning tables, users (deleting one rewrites issues' authors through
// its foreign keys) and the listing version (projects, memberships,
// namespaces: who sees which project's issues). Any committed change to
// those empties them, on every instance.

// IssueList is one page of issues, the total when it was asked for, and
// what a rendering of the page may be cached under: Key names the page
// (equal keys, equal pages) and Version covers the issues and everything
// their entities show — projects, namespaces, users, labels, milestones.
type IssueList struct {
	Issues  []*model.Issue
	Total   int
	Key     string
	Version model.Version
}

// issueListEntry is a cached page of issues or of merge requests (their
// pages are kept in the same cache, under their own statements).
type issueListEntry struct {
	issues []*model.Issue
	mrs    []*model.MergeRequest
	total  int  // lists: the total, when counted
	more   bool // searches: whether a next page exists
}

// issueListBudget bounds the bytes of cached pages (their keys, titles and
// descriptions, which may be long): a page costs what it holds, so no
// number of pages of long issues can make the cache grow past it.
const issueListBudget = 64 << 20

func newIssueListCache(off bool) *cache.Cache[string, issueListEntry] {
	return cache.New[string, issueListEntry](cache.Options{MaxCost: issueListBudget, AvgCost: 16 << 10, Off: off})
}

// cost is about the bytes e and its key hold.
func (e issueListEntry) cost(key string) int {
	n := len(key) + 64
	for _, is := range e.issues {
		n += 256 + len(is.Title) + len(is.Description) + 8*(len(is.AssigneeIDs)+len(is.LabelIDs))
	}
	for _, m := range e.mrs {
		n += 384 + len(m.Title) + len(m.Description) + len(m.SourceBranch) + len(m.TargetBranch) +
			8*(len(m.AssigneeIDs)+len(m.ReviewerIDs)+len(m.LabelIDs))
	}
	return n
}

// issueListStamp is the stamp issue list pages are kept under, and the
// version renderings of them may be kept under.
func (q *Queries) issueListStamp() (cache.Stamp, model.Version, bool) {
	if q.db == nil || q.db.issueLists == nil {
		return cache.Stamp{}, model.Version{}, false
	}
	planning, ok1 := q.stamp(TopicPlanning)
	auth, ok2 := q.stamp(TopicAuth)
	listing, ok3 := q.stamp(TopicListing)
	if !ok1 || !ok2 || !ok3 {
		return cache.Stamp{}, model.Version{}, false
	}
	return cache.Stamp{planning[0] + auth[0], listing[0]}, model.NewVersion(listing[0], auth[0], planning[0]), true
}

// statementKey is a statement and its arguments as one string: arguments
// are typed and length-prefixed, so different ones never give equal keys.
// The statement is named by a short number (statementName), so that a key
// costs its arguments rather than a copy of SQL text kilobytes long.
func (db *DB) statementKey(query string, args []any) string {
	var b strings.Builder
	name := db.statementName(query)
	b.Grow(len(name) + 16*len(args))
	b.WriteString(name)
	for _, a := range args {
		b.WriteByte(0)
		switch v := a.(type) {
		case int64:
			b.WriteByte('i')
			b.WriteString(strconv.FormatInt(v, 10))
		case int:
			b.WriteByte('i')
			b.WriteString(strconv.Itoa(v))
		case bool:
			b.WriteByte('b')
			b.WriteString(strconv.FormatBool(v))
		case string:
			b.WriteByte('s')
			b.WriteString(strconv.Itoa(len(v)))
			b.WriteByte(':')
			b.WriteString(v)
		case time.Time:
			b.WriteByte('t')
			b.WriteString(strconv.FormatInt(v.UnixNano(), 10))
		case nil:
			b.WriteByte('n')
		default:
			return "" // not keyable: not cached
		}
	}
	return b.String()
}

// maxStatementNames bounds the statement names handed out; statement texts
// come from code (a list's filters combine into a few hundred), and past
// the bound a statement is its own name.
const maxStatementNames = 4096

// statementNames numbers the statements keys are made of.
type statementNames struct {
	m sync.Map // statement text → name
	n atomic.Int64
}

// statementName is a short name for query, the same for the life of db:
// "#" and a number (SQL never starts with "#"), or the text itself once
// maxStatementNames are taken.
func (db *DB) statementName(query string) string {
	if v, ok := db.stmtNames.m.Load(query); ok {
		return v.(string)
	}
	if db.stmtNames.n.Load() >= maxStatementNames {
		return query
	}
	name := "#" + strconv.FormatInt(db.stmtNames.n.Add(1), 10)
	v, _ := db.stmtNames.m.LoadOrStore(query, name)
	return v.(string)
}

// listLoad names one load of a page: the page, under the stamp its askers
// read before asking.
type listLoad struct {
	page  string
	stamp cache.Stamp
}

// listLoadTimeout bounds one page load that several askers may wait for.
const listLoadTimeout = time.Minute

// keptList returns the page named key, kept under stamp or loaded. A page
// asked for by several clients at once is loaded once for all of them
// under the same stamp (a newer stamp is a different load, so nobody gets
// a page read before a change they have seen). The entry is shared:
// callers copy what they hand out.
func (q *Queries) keptList(ctx context.Context, key string, stamp cache.Stamp, load func(context.Context) (issueListEntry, error)) (issueListEntry, error) {
	if e, hit := q.db.issueLists.GetAt(key, stamp); hit {
		return e, nil
	}
	return q.db.listLoads.Do(ctx, listLoad{key, stamp}, listLoadTimeout, func(ctx context.Context) (issueListEntry, error) {
		e, err := load(ctx)
		if err == nil {
			q.db.issueLists.PutAtCost(key, stamp, e, e.cost(key))
		}
		return e, err
	})
}

// copyIssues gives each caller its own issue values (the slices inside
// are shared and never written).
func copyIssues(in []*model.Issue) []*model.Issue {
	vals := make([]model.Issue, len(in)) // one allocation for the page
	out := make([]*model.Issue, len(in))
	for i, is := range in {
		vals[i] = *is
		out[i] = &vals[i]
	}
	return out
}

// copyMergeRequests is copyIssues for merge requests.
func copyMergeRequests(in []*model.MergeRequest) []*model.MergeRequest {
	vals := make([]model.MergeRequest, len(in))
	out := make([]*model.MergeRequest, len(in))
	for i, m := range in {
		vals[i] = *m
		out[i] = &vals[i]
	}
	return out
}
