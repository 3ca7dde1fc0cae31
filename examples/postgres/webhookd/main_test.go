package main

import (
	"log/slog"
	"testing"

	"github.com/uplinehq/upline/adapters/postgres/pgtest"
	"github.com/uplinehq/upline/examples/internal/webhookd"
	"github.com/uplinehq/upline/examples/internal/webhookd/killtest"
)

// TestKill kills the server with SIGKILL while 16 clients deliver, and
// starts it again on the same schema: every delivery answered 2xx is in
// the inbox table, and the restarted server (its ledger in PostgreSQL, no
// replay) with the platform's retries of the rest ends in the ledger the
// deliveries in order make — nothing lost, nothing posted twice.
func TestKill(t *testing.T) {
	killtest.Run(t, webhookd.Config{Data: "../../quickstart/data"}, "-postgres", pgtest.DSN(), "-schema", pgtest.Schema(t))
}

// The server refuses to start without a database, or with a file inbox
// beside it, whose deliveries it would never read.
func TestRefuses(t *testing.T) {
	for _, c := range []struct{ what, dsn, inbox, want string }{
		{"no server", "", "", "no server: give -postgres DSN (or set WEBHOOKD_POSTGRES)"},
		{"a file inbox", pgtest.DefaultDSN, "inbox.jsonl", `the inbox is PostgreSQL's: leave "inbox" (WEBHOOKD_INBOX) empty`},
	} {
		t.Run(c.what, func(t *testing.T) {
			t.Setenv("WEBHOOKD_INBOX", c.inbox)
			err := run("", c.dsn, "unused", slog.New(slog.DiscardHandler))
			if err == nil || err.Error() != c.want {
				t.Errorf("err %v; want %q", err, c.want)
			}
		})
	}
}
