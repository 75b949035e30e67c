package store

import (
	"context"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestMigrationExternalUsers: users made external before lablet cleared
// their rights lose group creation and personal projects when 0011 runs;
// others keep theirs.
func TestMigrationExternalUsers(t *testing.T) {
	db, dsn, dir := mustOpen(t)
	ctx := context.Background()
	ext := &model.User{Username: "ext", Email: "ext@example.com", Name: "Ext", External: true, CanCreateGroup: true, ProjectsLimit: 10}
	in := &model.User{Username: "in", Email: "in@example.com", Name: "In", CanCreateGroup: true, ProjectsLimit: 10}
	err := db.WithTx(ctx, func(q *Queries) error {
		for _, u := range []*model.User{ext, in} {
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		_, err := q.exec(ctx, "DELETE FROM schema_migrations WHERE version = ?", "0011_external_users")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, dsn, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, want := range []struct {
		id     int64
		create bool
		limit  int
	}{{ext.ID, false, 0}, {in.ID, true, 10}} {
		u, err := db.Queries().UserByID(ctx, want.id)
		if err != nil || u.CanCreateGroup != want.create || u.ProjectsLimit != want.limit {
			t.Fatalf("user %d = %+v, %v", want.id, u, err)
		}
	}
}
