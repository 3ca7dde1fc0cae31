package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uplinehq/upline/adapters/postgres"
	"github.com/uplinehq/upline/ledger"
)

// appRole creates a role with the grants the package documentation lists
// for an application (plus extra, statements run on the schema's
// entries table), dropped when t ends, and returns a store whose
// connections act as that role.
func appRole(t *testing.T, owner *postgres.Store, extra ...string) *postgres.Store {
	t.Helper()
	var r [4]byte
	rand.Read(r[:])
	role := pgx.Identifier{"upline_app_" + hex.EncodeToString(r[:])}.Sanitize()
	schema := pgx.Identifier{owner.Schema()}.Sanitize()
	stmts := []string{
		"CREATE ROLE " + role + " LOGIN",
		"GRANT USAGE ON SCHEMA " + schema + " TO " + role,
		"GRANT SELECT ON " + schema + ".schema_migrations TO " + role,
		"GRANT SELECT, INSERT ON " + schema + ".entries, " + schema + ".snapshots TO " + role,
		"GRANT USAGE, UPDATE ON SEQUENCE " + schema + ".entries_position_seq TO " + role,
	}
	for _, x := range extra {
		stmts = append(stmts, x+" "+schema+".entries TO "+role)
	}
	t.Cleanup(func() {
		for _, q := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
			if _, err := owner.Pool().Exec(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	for _, q := range stmts {
		if _, err := owner.Pool().Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cfg, err := pgxpool.ParseConfig(dsn())
	if err != nil {
		t.Fatal(err)
	}
	cfg.AfterConnect = func(ctx2 context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx2, "SET ROLE "+role)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := postgres.New(ctx, pool, postgres.Options{Schema: owner.Schema()})
	if err != nil {
		t.Fatalf("open as the application's role: %v", err)
	}
	return s
}

// History cannot be rewritten by the application's own role: without the
// privileges the database refuses UPDATE, DELETE and TRUNCATE (42501,
// permission denied); granted them by mistake, the trigger still does.
func TestHistoryCannotBeRewrittenByTheApplication(t *testing.T) {
	for _, c := range []struct {
		name  string
		extra []string
		want  string // in the error message
	}{
		{"documented grants", nil, "permission denied"},
		{"granted every privilege", []string{"GRANT ALL ON"}, "append-only"},
	} {
		t.Run(c.name, func(t *testing.T) {
			owner := newStore(t)
			s := appRole(t, owner, c.extra...)
			if err := s.Append(ctx, "s", 0, []ledger.Entry{adjustment("a", "A", "USD", "10.00", placed), adjustment("b", "B", "USD", "5.00", placed)}); err != nil {
				t.Fatalf("append as the application: %v", err)
			}
			tbl := pgx.Identifier{s.Schema(), "entries"}.Sanitize()
			for _, sql := range []string{
				"UPDATE " + tbl + " SET amount = 1000000 WHERE id = 'a'",
				"DELETE FROM " + tbl + " WHERE id = 'b'",
				"TRUNCATE " + tbl,
			} {
				_, err := s.Pool().Exec(ctx, sql)
				var pg *pgconn.PgError
				if !errors.As(err, &pg) || pg.Code != "42501" || !strings.Contains(pg.Message, c.want) {
					t.Errorf("%s: %v, want 42501 %q", sql, err, c.want)
				}
			}
			es := readStream(t, s, "s")
			if len(es) != 2 || es[0].Amount.String() != "10" || es[1].ID != "b" {
				t.Errorf("entries after refused changes: %+v", es)
			}
		})
	}
}
