// Command quickstart runs upline's quick start with the ledger on
// PostgreSQL: the same program as examples/quickstart, printing the same,
// byte for byte.
//
//	go -C examples/postgres run ./quickstart -postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//
// It creates its tables in the schema -schema names ("upline_quickstart"
// by default), which must hold no ledger yet: a second run would find
// every delivery a duplicate. Drop the schema to run it again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/uplinehq/upline/adapters/postgres"
	"github.com/uplinehq/upline/examples/internal/quickstart"
)

func main() {
	dsn := flag.String("postgres", os.Getenv("UPLINE_PG_DSN"), "the PostgreSQL server, as a URL or key=value string (default $UPLINE_PG_DSN)")
	schema := flag.String("schema", "upline_quickstart", "the schema to create the ledger in; it must hold none yet")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *dsn, *schema); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// errNotEmpty: the schema holds a ledger already.
var errNotEmpty = errors.New("the schema holds a ledger already")

func run(ctx context.Context, w io.Writer, dsn, schema string) error {
	if dsn == "" {
		return errors.New("no server: give -postgres DSN (or set UPLINE_PG_DSN)")
	}
	store, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema})
	if err != nil {
		return err
	}
	defer store.Close()
	var used bool
	if err := store.Pool().QueryRow(ctx, "SELECT EXISTS (SELECT FROM "+pgx.Identifier{schema, "entries"}.Sanitize()+")").Scan(&used); err != nil {
		return err
	}
	if used {
		return fmt.Errorf("%w: drop it (DROP SCHEMA %s CASCADE) or name another with -schema", errNotEmpty, pgx.Identifier{schema}.Sanitize())
	}
	return quickstart.Run(w, store)
}
