// Command webhookd is upline's webhook server with its ledger and its
// inbox on PostgreSQL: the same server as examples/webhookd, configured
// the same way, plus the database.
//
//	go -C examples/postgres run ./webhookd -config webhookd/webhookd.example.json \
//		-postgres 'postgres://app@db/upline'
//
// (go -C runs it in examples/postgres, which the example's paths are
// relative to; it has no "inbox", which is the database's here.)
//
// -postgres (or WEBHOOKD_POSTGRES) names the server; -schema the schema,
// "upline" by default, created and migrated on start. Every authentic
// delivery is committed to the inbox table before it is answered and the
// ledger outlives the process, so a restart, even after SIGKILL, needs no
// replay; held deliveries wait in the database for an operator. The
// configuration's "inbox" (a file) must be empty: the inbox is the
// database's.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"

	"github.com/uplinehq/upline/adapters/postgres"
	"github.com/uplinehq/upline/examples/internal/webhookd"
)

func main() {
	path := flag.String("config", os.Getenv("WEBHOOKD_CONFIG"), "JSON configuration file")
	dsn := flag.String("postgres", os.Getenv("WEBHOOKD_POSTGRES"), "the PostgreSQL server, as a URL or key=value string")
	schema := flag.String("schema", postgres.DefaultSchema, "the schema of the ledger and the inbox")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(*path, *dsn, *schema, log); err != nil {
		log.Error("webhookd stopped", "err", err)
		os.Exit(1)
	}
}

func run(path, dsn, schema string, log *slog.Logger) error {
	cfg, err := webhookd.LoadConfig(path)
	if err != nil {
		return err
	}
	if dsn == "" {
		return errors.New("no server: give -postgres DSN (or set WEBHOOKD_POSTGRES)")
	}
	if cfg.Inbox != "" {
		return errors.New(`the inbox is PostgreSQL's: leave "inbox" (WEBHOOKD_INBOX) empty`)
	}
	store, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		return err
	}
	defer store.Close()
	return webhookd.Run(cfg, webhookd.Backend{Ledger: store, Inbox: store.Inbox()}, log)
}
