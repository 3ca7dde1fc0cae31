// Package pgtest finds the PostgreSQL server tests run against and gives
// each test a schema of its own, dropped when the test ends:
//
//	func TestSomething(t *testing.T) {
//		store, err := postgres.Open(ctx, pgtest.DSN(), postgres.Options{Schema: pgtest.Schema(t)})
//		...
//	}
//
// The server is UPLINE_PG_DSN, by default the local one. Without a server
// a test is skipped, or fails when CI=true: in CI a missing server is a
// broken setup, not a choice.
package pgtest

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
)

// DefaultDSN is the server tests use when UPLINE_PG_DSN names none.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// DSN returns the server tests use: UPLINE_PG_DSN, or DefaultDSN.
func DSN() string {
	if d := os.Getenv("UPLINE_PG_DSN"); d != "" {
		return d
	}
	return DefaultDSN
}

var reach struct {
	once sync.Once
	err  error
}

// Require skips t when no server answers, or fails it when CI=true.
func Require(t testing.TB) {
	t.Helper()
	reach.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, DSN())
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		reach.err = err
	})
	if reach.err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL at %s: %v (CI=true: a server is required)", DSN(), reach.err)
	}
	t.Skipf("no PostgreSQL at %s (%v): set UPLINE_PG_DSN to run these tests", DSN(), reach.err)
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// Schema requires a server (see Require) and returns a new schema name
// for t, dropped with everything in it when t ends.
func Schema(t testing.TB) string {
	t.Helper()
	Require(t)
	var r [4]byte
	rand.Read(r[:])
	name := unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	schema := "t_" + hex.EncodeToString(r[:]) + "_" + name
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, DSN())
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
