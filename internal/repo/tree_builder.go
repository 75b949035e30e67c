package repo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// treeBuilder edits a tree in memory, loading only the directories an
// action touches, and writes the changed directories back with mktree.
// Untouched subtrees are carried over by id.
type treeBuilder struct {
	r    *Repo
	c    *catFile
	root *treeNode
}

type treeNode struct {
	oid     string // "" for a new directory
	entries map[string]*treeItem
	loaded  bool
	dirty   bool
}

type treeItem struct {
	mode string
	oid  string
	sub  *treeNode // loaded subtree, for directories
}

func (it *treeItem) isTree() bool { return entryType(it.mode) == "tree" }

func (b *treeBuilder) load(ctx context.Context, n *treeNode) error {
	if n.loaded {
		return nil
	}
	n.entries = map[string]*treeItem{}
	n.loaded = true
	if n.oid == "" {
		return nil
	}
	_, data, err := b.r.object(ctx, b.c, n.oid, "tree")
	if err != nil {
		return err
	}
	raw, err := parseTree(data, idLen)
	if err != nil {
		return err
	}
	for _, e := range raw {
		n.entries[e.name] = &treeItem{mode: e.mode, oid: e.oid}
	}
	return nil
}

// dir returns the directory holding p's last segment. With create, missing
// directories are made; a file in the way is ErrExists. Every directory on
// the way is marked dirty when forWrite.
func (b *treeBuilder) dir(ctx context.Context, p string, create bool) (*treeNode, string, error) {
	segs := strings.Split(p, "/")
	n := b.root
	if err := b.load(ctx, n); err != nil {
		return nil, "", err
	}
	for i, seg := range segs[:len(segs)-1] {
		it, ok := n.entries[seg]
		if !ok {
			if !create {
				return nil, "", fmt.Errorf("%q: %w", p, ErrNotFound)
			}
			it = &treeItem{mode: "40000", sub: &treeNode{loaded: true, entries: map[string]*treeItem{}}}
			n.entries[seg] = it
		}
		if !it.isTree() {
			if create {
				return nil, "", fmt.Errorf("%q is a file, cannot create %q: %w", strings.Join(segs[:i+1], "/"), p, ErrExists)
			}
			return nil, "", fmt.Errorf("%q: %w", p, ErrNotFound)
		}
		if it.sub == nil {
			it.sub = &treeNode{oid: it.oid}
		}
		n = it.sub
		if err := b.load(ctx, n); err != nil {
			return nil, "", err
		}
	}
	return n, segs[len(segs)-1], nil
}

// markDirty flags every directory from the root to p's parent as changed.
func (b *treeBuilder) markDirty(p string) {
	n := b.root
	n.dirty = true
	segs := strings.Split(p, "/")
	for _, seg := range segs[:len(segs)-1] {
		it := n.entries[seg]
		if it == nil || it.sub == nil {
			return
		}
		n = it.sub
		n.dirty = true
	}
}

// get returns the entry at p, or nil.
func (b *treeBuilder) get(ctx context.Context, p string) (*treeItem, error) {
	n, name, err := b.dir(ctx, p, false)
	if errors.Is(err, ErrNotFound) {
		return nil, nil // a missing parent means a missing entry
	}
	if err != nil {
		return nil, err
	}
	return n.entries[name], nil
}

func (b *treeBuilder) put(ctx context.Context, p string, it *treeItem) error {
	n, name, err := b.dir(ctx, p, true)
	if err != nil {
		return err
	}
	n.entries[name] = it
	b.markDirty(p)
	return nil
}

func (b *treeBuilder) remove(ctx context.Context, p string) error {
	n, name, err := b.dir(ctx, p, false)
	if err != nil {
		return err
	}
	delete(n.entries, name)
	b.markDirty(p)
	return nil
}

// write stores changed directories bottom-up and returns the root tree id.
// Directories left empty are dropped, as git cannot track them.
func (b *treeBuilder) write(ctx context.Context) (string, error) {
	return b.writeNode(ctx, b.root)
}

func (b *treeBuilder) writeNode(ctx context.Context, n *treeNode) (string, error) {
	if !n.dirty {
		return n.oid, nil
	}
	names := make([]string, 0, len(n.entries))
	for name, it := range n.entries {
		if it.sub != nil && it.sub.dirty {
			oid, err := b.writeNode(ctx, it.sub)
			if err != nil {
				return "", err
			}
			if len(it.sub.entries) == 0 {
				delete(n.entries, name)
				continue
			}
			it.oid = oid
		}
		names = append(names, name)
	}
	sort.Strings(names) // mktree sorts too; this keeps the input deterministic
	// Written directly as a loose object, exactly as mktree encodes it,
	// which saves a process per directory of an API commit. The entries
	// are the builder's own: blobs and trees it just wrote, or entries of
	// trees read from the repository.
	entries := make([]treeObjectEntry, 0, len(names))
	for _, name := range names {
		it := n.entries[name]
		entries = append(entries, treeObjectEntry{mode: it.mode, name: name, oid: it.oid})
	}
	if data, err := treeObject(entries); err == nil {
		oid, ok, err := b.r.writeLooseObject("tree", data)
		if ok {
			if err != nil {
				return "", fmt.Errorf("write tree: %w", err)
			}
			n.oid = oid
			n.dirty = false
			return n.oid, nil
		}
	}
	var in strings.Builder
	for _, name := range names {
		it := n.entries[name]
		fmt.Fprintf(&in, "%s %s %s\t%s\x00", it.mode, entryType(it.mode), it.oid, name)
	}
	// mktree checks that every entry exists with the right type, except
	// gitlinks (submodule commits), which are not expected to be here.
	out, err := gitCmd{dir: b.r.path, args: []string{"mktree", "-z"}, stdin: strings.NewReader(in.String())}.run(ctx)
	if err != nil {
		return "", fmt.Errorf("mktree: %w", err)
	}
	n.oid = strings.TrimSpace(string(out))
	n.dirty = false
	return n.oid, nil
}
