package store

import (
	"context"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// With caches on, a change made behind the store's back (raw SQL moves no
// version) stays unseen — which shows the reads below go through caches;
// with caches off every read sees the database.
func TestCachesOff(t *testing.T) {
	ctx := context.Background()
	for _, off := range []bool{false, true} {
		db, dsn, _ := mustOpen(t)
		if off {
			db.Close()
			var err error
			if db, err = Open(ctx, dsn, t.TempDir(), Options{CachesOff: true}); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
		}
		waitListening(t, db)
		u := &model.User{Username: "carol", Email: "carol@example.com", Name: "Carol"}
		if err := db.WithTx(ctx, func(q *Queries) error { return q.CreateUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		reads := map[string]func() (string, error){
			"UserByID": func() (string, error) {
				got, err := db.Queries().UserByID(ctx, u.ID)
				if err != nil {
					return "", err
				}
				return got.Name, nil
			},
			"NamespaceByID": func() (string, error) {
				got, err := db.Queries().NamespaceByID(ctx, u.NamespaceID)
				if err != nil {
					return "", err
				}
				return got.Name, nil
			},
		}
		for _, read := range reads {
			if _, err := read(); err != nil { // fills the cache when on
				t.Fatal(err)
			}
		}
		if _, err := db.SQL().Exec(db.Queries().rebind("UPDATE users SET name = ? WHERE id = ?"), "Behind", u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(db.Queries().rebind("UPDATE namespaces SET name = ? WHERE id = ?"), "Behind", u.NamespaceID); err != nil {
			t.Fatal(err)
		}
		for name, read := range reads {
			got, err := read()
			if err != nil {
				t.Fatal(err)
			}
			if fresh := got == "Behind"; fresh != off {
				t.Errorf("caches off=%v: %s read %q", off, name, got)
			}
		}
	}
}
