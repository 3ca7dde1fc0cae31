package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uplinehq/upline/adapters/postgres"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/ledger/ledgertest"
)

var ctx = context.Background()

// dsn is the server the tests use: UPLINE_PG_DSN, or the local one.
func dsn() string {
	if d := os.Getenv("UPLINE_PG_DSN"); d != "" {
		return d
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var reach struct {
	once sync.Once
	err  error
}

// requireServer skips the test when no server answers, or fails it in CI
// (CI=true), where a missing server is a broken setup, not a choice.
func requireServer(t testing.TB) {
	t.Helper()
	reach.once.Do(func() {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(c, dsn())
		if err == nil {
			err = conn.Ping(c)
			conn.Close(c)
		}
		reach.err = err
	})
	if reach.err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL at %s: %v (CI=true: a server is required)", dsn(), reach.err)
	}
	t.Skipf("no PostgreSQL at %s (%v): set UPLINE_PG_DSN to run these tests", dsn(), reach.err)
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// schemaFor returns a new schema name for t, dropped when t ends.
func schemaFor(t testing.TB) string {
	t.Helper()
	requireServer(t)
	var r [4]byte
	rand.Read(r[:])
	name := unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	schema := "t_" + hex.EncodeToString(r[:]) + "_" + name
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn())
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// open opens a store on schema, closed when t ends.
func open(t testing.TB, schema string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(ctx, dsn(), postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func newStore(t testing.TB) *postgres.Store { return open(t, schemaFor(t)) }

func TestConformance(t *testing.T) {
	requireServer(t)
	ledgertest.Run(t, ledgertest.Features{
		Reopen: func(t *testing.T, s ledger.Store) ledger.Store { return open(t, s.(*postgres.Store).Schema()) },
	}, func(t *testing.T) ledger.Store { return newStore(t) })
}
