package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// ciVariableTable is where one kind of owner keeps its variables. Every
// statement is built once per table, so each is a constant text the
// statement cache prepares once.
type ciVariableTable struct {
	name   string
	owner  string // the owner column; "" for the instance
	list   string // SELECT … WHERE owner = ? (or every row) ORDER BY id
	byKey  string // list narrowed to a key
	insert string
	update string
	delete string
}

func newCIVariableTable(name, owner string) *ciVariableTable {
	t := &ciVariableTable{name: name, owner: owner}
	ownerCol, hiddenCol, scopeCol := "0", "FALSE", "'*'"
	where, values, sets := " WHERE 1 = 1", "?, ?, ?, ?, ?, ?, ?, ?, ?", ""
	cols := "key, value, description, variable_type, protected, masked, raw, created_at, updated_at"
	if owner != "" {
		ownerCol, hiddenCol, scopeCol = owner, "hidden", "environment_scope"
		where = " WHERE " + owner + " = ?"
		cols = owner + ", " + cols + ", hidden, environment_scope"
		values += ", ?, ?, ?"
		sets = ", environment_scope = ?"
	}
	t.list = "SELECT id, " + ownerCol + ", key, value, description, variable_type, protected, masked, " + hiddenCol +
		", raw, " + scopeCol + ", created_at, updated_at FROM " + name + where
	t.byKey = t.list + " AND key = ?"
	t.list += " ORDER BY id"
	t.byKey += " ORDER BY id"
	t.insert = "INSERT INTO " + name + " (" + cols + ") VALUES (" + values + ")"
	// The key and whether it is hidden never change after creation.
	t.update = "UPDATE " + name + " SET value = ?, description = ?, variable_type = ?, protected = ?, masked = ?, raw = ?, " +
		"updated_at = ?" + sets + " WHERE id = ?"
	t.delete = "DELETE FROM " + name + " WHERE id = ?"
	return t
}

var ciVariableTables = [...]*ciVariableTable{
	model.CIVariableOfProject:  newCIVariableTable("ci_variables", "project_id"),
	model.CIVariableOfGroup:    newCIVariableTable("ci_group_variables", "group_id"),
	model.CIVariableOfInstance: newCIVariableTable("ci_instance_variables", ""),
}

func ciVariableTableOf(o model.CIVariableOwner) *ciVariableTable { return ciVariableTables[o.Kind] }

// ownerArgs are the arguments that select o's rows.
func (t *ciVariableTable) ownerArgs(o model.CIVariableOwner, more ...any) []any {
	if t.owner == "" {
		return more
	}
	return append([]any{o.ID}, more...)
}

func scanCIVariable(kind model.CIVariableOwnerKind) func(scanner) (*model.StoredCIVariable, error) {
	return func(s scanner) (*model.StoredCIVariable, error) {
		v := model.StoredCIVariable{Owner: model.CIVariableOwner{Kind: kind}}
		var desc sql.NullString
		var created, updated int64
		if err := s.Scan(&v.ID, &v.Owner.ID, &v.Key, &v.Value, &desc, &v.VariableType, &v.Protected, &v.Masked,
			&v.Hidden, &v.Raw, &v.EnvironmentScope, &created, &updated); err != nil {
			return nil, wrapErr(err)
		}
		v.Description = fromNullStr(desc)
		v.CreatedAt, v.UpdatedAt = fromMS(created), fromMS(updated)
		return &v, nil
	}
}

func (q *Queries) ciVariables(ctx context.Context, kind model.CIVariableOwnerKind, query string, args ...any) ([]*model.StoredCIVariable, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list ci variables: %w", err)
	}
	return collect(rows, scanCIVariable(kind))
}

// CIVariables lists the variables of o in creation order.
func (q *Queries) CIVariables(ctx context.Context, o model.CIVariableOwner) ([]*model.StoredCIVariable, error) {
	t := ciVariableTableOf(o)
	return q.ciVariables(ctx, o.Kind, t.list, t.ownerArgs(o)...)
}

// CIVariablesByKey lists the variables of o with key, one per environment
// scope, in creation order.
func (q *Queries) CIVariablesByKey(ctx context.Context, o model.CIVariableOwner, key string) ([]*model.StoredCIVariable, error) {
	t := ciVariableTableOf(o)
	return q.ciVariables(ctx, o.Kind, t.byKey, t.ownerArgs(o, key)...)
}

// CreateCIVariable inserts v, filling in its ID and times; a variable of
// the same owner, key and scope is ErrConflict.
func (q *Queries) CreateCIVariable(ctx context.Context, v *model.StoredCIVariable) error {
	t := ciVariableTableOf(v.Owner)
	now := q.Now()
	v.CreatedAt, v.UpdatedAt = now, now
	args := []any{v.Key, v.Value, nullStr(v.Description), v.VariableType, v.Protected, v.Masked, v.Raw, ms(now), ms(now)}
	if t.owner != "" {
		args = append([]any{v.Owner.ID}, append(args, v.Hidden, v.EnvironmentScope)...)
	}
	id, err := q.insert(ctx, t.insert, args...)
	if err != nil {
		return fmt.Errorf("store: create ci variable: %w", err)
	}
	v.ID = id
	return nil
}

// UpdateCIVariable writes v's mutable fields; a scope another variable of
// the key has is ErrConflict.
func (q *Queries) UpdateCIVariable(ctx context.Context, v *model.StoredCIVariable) error {
	t := ciVariableTableOf(v.Owner)
	v.UpdatedAt = q.Now()
	args := []any{v.Value, nullStr(v.Description), v.VariableType, v.Protected, v.Masked, v.Raw, ms(v.UpdatedAt)}
	if t.owner != "" {
		args = append(args, v.EnvironmentScope)
	}
	if _, err := q.exec(ctx, t.update, append(args, v.ID)...); err != nil {
		return fmt.Errorf("store: update ci variable: %w", err)
	}
	return nil
}

// DeleteCIVariable removes v.
func (q *Queries) DeleteCIVariable(ctx context.Context, v *model.StoredCIVariable) error {
	if _, err := q.exec(ctx, ciVariableTableOf(v.Owner).delete, v.ID); err != nil {
		return fmt.Errorf("store: delete ci variable: %w", err)
	}
	return nil
}

// Statements reading what a job gets: protected variables only when asked.
const (
	jobInstanceCIVariables = "SELECT id, 0, key, value, description, variable_type, protected, masked, FALSE, raw, '*', " +
		"created_at, updated_at FROM ci_instance_variables WHERE (protected = FALSE OR ?) ORDER BY id"
	// The groups of a namespace are its ancestors and itself, from the
	// top down (the closure's depth counts from the namespace up).
	jobGroupCIVariables = "SELECT v.id, v.group_id, v.key, v.value, v.description, v.variable_type, v.protected, " +
		"v.masked, v.hidden, v.raw, v.environment_scope, v.created_at, v.updated_at FROM ci_group_variables v " +
		"JOIN namespace_closure c ON c.ancestor_id = v.group_id WHERE c.descendant_id = ? AND (v.protected = FALSE OR ?) " +
		"ORDER BY c.depth DESC, v.id"
	jobProjectCIVariables = "SELECT id, project_id, key, value, description, variable_type, protected, masked, hidden, " +
		"raw, environment_scope, created_at, updated_at FROM ci_variables WHERE project_id = ? AND (protected = FALSE OR ?) " +
		"ORDER BY id"
)

// JobCIVariables returns the variables a job of the project in namespace
// may get, one query per owner kind: the instance's, its groups' from the
// top down, the project's, each in creation order. Protected ones come
// only with protected.
func (q *Queries) JobCIVariables(ctx context.Context, projectID, namespaceID int64, protected bool) (instance, groups, project []*model.StoredCIVariable, err error) {
	if instance, err = q.ciVariables(ctx, model.CIVariableOfInstance, jobInstanceCIVariables, protected); err != nil {
		return nil, nil, nil, err
	}
	if groups, err = q.ciVariables(ctx, model.CIVariableOfGroup, jobGroupCIVariables, namespaceID, protected); err != nil {
		return nil, nil, nil, err
	}
	if project, err = q.ciVariables(ctx, model.CIVariableOfProject, jobProjectCIVariables, projectID, protected); err != nil {
		return nil, nil, nil, err
	}
	return instance, groups, project, nil
}
