package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Topic names a group of tables that in-memory caches derive answers from.
// Every committed write to one of its tables bumps the topic's version, so a
// cache that stores an answer under the version it read before querying
// misses as soon as anything it depends on changed.
type Topic uint8

const (
	// TopicAuth covers users and personal access tokens (token resolution).
	TopicAuth Topic = iota
	// TopicAccess covers what decides who sees or may change which
	// project: memberships, projects, namespaces, the namespace hierarchy
	// and protected branches. Every change to it is also one of
	// TopicListing.
	TopicAccess
	// TopicListing covers which projects lists hold: any change of
	// TopicAccess, and also the rows that create a project (Queries.newRows),
	// which leave every existing row as it was. Caches of single projects
	// key on TopicAccess and so survive project creation; caches of lists
	// key on TopicListing.
	TopicListing
	// TopicPlanning covers what issue and merge request lists are read
	// from: issues and merge requests (their counters too: notes and award
	// emoji move them), their assignees and reviewers, labels and their
	// links and priorities, milestones.
	TopicPlanning
	// TopicActivity covers the events feeds read: events and their push
	// payloads.
	TopicActivity
	// TopicLabels covers labels and milestones, which issue entities show
	// by id and which change far less often than issues do: their rows are
	// kept under it, and survive issue writes.
	TopicLabels
	// TopicGPG covers the keys commit signatures are verified with: GPG
	// keys, their subkeys and SSH keys (with the users of TopicAuth, the
	// verdicts' inputs).
	TopicGPG
	numTopics
)

// accessTopics is what a write to a table of TopicAccess bumps.
const accessTopics = 1<<TopicAccess | 1<<TopicListing

// topicTables maps each table to the topics its writes bump.
var topicTables = map[string]uint8{
	"users":                   1 << TopicAuth,
	"personal_access_tokens":  1 << TopicAuth,
	"members":                 accessTopics,
	"projects":                accessTopics,
	"namespaces":              accessTopics,
	"namespace_closure":       accessTopics,
	"project_group_links":     accessTopics,
	"group_group_links":       accessTopics,
	"redirect_routes":         accessTopics,
	"protected_branches":      accessTopics,
	"issues":                  1 << TopicPlanning,
	"issue_assignees":         1 << TopicPlanning,
	"labels":                  1<<TopicPlanning | 1<<TopicLabels,
	"label_links":             1 << TopicPlanning,
	"label_priorities":        1 << TopicPlanning,
	"milestones":              1<<TopicPlanning | 1<<TopicLabels,
	"merge_requests":          1 << TopicPlanning,
	"merge_request_assignees": 1 << TopicPlanning,
	"merge_request_reviewers": 1 << TopicPlanning,
	"merge_request_issues":    1 << TopicPlanning,
	"events":                  1 << TopicActivity,
	"push_event_payloads":     1 << TopicActivity,
	"gpg_keys":                1 << TopicGPG,
	"gpg_key_subkeys":         1 << TopicGPG,
	"keys":                    1 << TopicGPG,
}

const allTopics = 1<<numTopics - 1

// versionsChannel is the PostgreSQL notification channel that carries bumps
// between instances sharing one database.
const versionsChannel = "lablet_versions"

// versions holds the counters, the per-statement topic masks and, on
// PostgreSQL, the state of the listener that hears other instances.
type versions struct {
	n [numTopics]atomic.Uint64
	// rows are the row versions (rowversions.go); rowsAll moves with any.
	rows    [rowStripes]atomic.Uint64
	rowsAll atomic.Uint64
	// listingMu orders the listing version with created, the projects each
	// of its recent values added (creations.go).
	listingMu sync.Mutex
	created   [createdLog]createdEntry
	masks     sync.Map // statement text → uint8
	nMask     atomic.Int64
	// listening is false on PostgreSQL while the listener is not
	// connected: another instance's change could then go unheard, so
	// caches must not be trusted. Always true on SQLite, whose only
	// writer in a running system is the serving process.
	listening atomic.Bool
	stop      context.CancelFunc
	done      chan struct{}
	// instance tags this process's notifications, which it has applied
	// already when it hears them back.
	instance string
}

// Version returns topic t's current version and whether caches may rely on it.
// Read it before querying and store the answer under it.
func (db *DB) Version(t Topic) (uint64, bool) {
	return db.versions.n[t].Load(), db.versions.listening.Load()
}

// change is what a committed write moves: topics, the projects whose row
// alone changed (rowversions.go) and the projects it created (creations.go).
type change struct {
	topics  uint8
	rows    []int64
	created []int64
}

func (c change) empty() bool { return c.topics == 0 && len(c.rows) == 0 }

// apply advances the versions c moves. Row versions move first, then the
// topics in order, so that a listing move is never seen before the access
// move of the same change.
func (e *versions) apply(c change) {
	e.bumpRows(c.rows)
	for t := Topic(0); t < numTopics; t++ {
		if c.topics&(1<<t) == 0 {
			continue
		}
		if t == TopicListing {
			e.bumpListing(c)
			continue
		}
		e.n[t].Add(1)
	}
}

// bump advances the versions of the topics in mask.
func (e *versions) bump(mask uint8) { e.apply(change{topics: mask}) }

// mask returns the topics a statement may change: none for reads, the
// topics of the table an INSERT, UPDATE or DELETE names, and all of them
// for anything else that is not a plain read (DDL, CTE writes). Reading
// the table off the statement means no write site can forget to bump.
func (e *versions) mask(query string) uint8 {
	if v, ok := e.masks.Load(query); ok {
		return v.(uint8)
	}
	m := statementTopics(query)
	if e.nMask.Load() < 4096 { // statement texts come from code; bound anyway
		e.masks.Store(query, m)
		e.nMask.Add(1)
	}
	return m
}

func statementTopics(query string) uint8 {
	f := strings.Fields(strings.ToLower(query))
	if len(f) == 0 {
		return 0
	}
	table := ""
	switch f[0] {
	case "select":
		return 0
	case "insert":
		if len(f) > 2 && f[1] == "into" {
			table = f[2]
		}
	case "update":
		if len(f) > 1 {
			table = f[1]
		}
	case "delete":
		if len(f) > 2 && f[1] == "from" {
			table = f[2]
		}
	case "with":
		if !slices.Contains(f, "insert") && !slices.Contains(f, "update") && !slices.Contains(f, "delete") {
			return 0
		}
		return allTopics
	default:
		return allTopics
	}
	if table == "" {
		return allTopics
	}
	if i := strings.IndexByte(table, '('); i >= 0 {
		table = table[:i]
	}
	return topicTables[strings.Trim(table, `"`)]
}

// changed records that a statement with topic mask m ran: inside a
// transaction the bump waits for the commit, outside it happens now.
func (q *Queries) changed(ctx context.Context, m uint8) {
	if m == 0 || q.db == nil {
		return
	}
	c := change{topics: m}
	if m&^accessTopics == 0 {
		switch {
		case q.rowOnly != 0:
			c = change{rows: []int64{q.rowOnly}}
		case q.newRows && q.pending != nil:
			// Outside a transaction a creation's rows, published one by
			// one, are not creation-only.
			c.topics = 1 << TopicListing
		}
	}
	if q.pending == nil {
		q.db.published(ctx, c) // outside a transaction each statement is a change
		return
	}
	q.pending.topics |= c.topics
	q.pending.rows = append(q.pending.rows, c.rows...)
}

// published moves the local versions and tells other instances (PostgreSQL).
// If telling fails, the change itself is committed already: listeners
// elsewhere reconnect and reset on their own errors.
func (db *DB) published(ctx context.Context, c change) {
	c = notifiable(c)
	db.versions.apply(c)
	if db.dialect == Postgres {
		_, _ = db.sql.ExecContext(context.WithoutCancel(ctx), "SELECT pg_notify($1, $2)", versionsChannel,
			db.versions.payload(c))
	}
}

// startListener follows other instances' bumps on PostgreSQL on a
// connection of its own. While it is not listening, Version reports that
// caches cannot be trusted; every (re)connection bumps all versions, since
// changes may have been missed meanwhile.
func (db *DB) startListener(url string) {
	var id [8]byte
	_, _ = rand.Read(id[:])
	db.versions.instance = hex.EncodeToString(id[:])
	ctx, cancel := context.WithCancel(context.Background())
	db.versions.stop = cancel
	db.versions.done = make(chan struct{})
	go func() {
		defer close(db.versions.done)
		for ctx.Err() == nil {
			err := db.listen(ctx, url)
			db.versions.listening.Store(false)
			db.versions.bump(allTopics)
			if ctx.Err() != nil {
				return
			}
			_ = err // the next attempt reports nothing new; caches stay off meanwhile
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

func (db *DB) listen(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("store: listen connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+versionsChannel); err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	db.versions.bump(allTopics)
	db.versions.listening.Store(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("store: wait for notification: %w", err)
		}
		c, from := parsePayload(n.Payload)
		if from == db.versions.instance {
			continue
		}
		db.versions.apply(c)
	}
}

// stopListener ends the PostgreSQL listener, if any.
func (db *DB) stopListener() {
	if db.versions.stop != nil {
		db.versions.stop()
		<-db.versions.done
	}
}
