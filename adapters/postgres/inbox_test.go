package postgres_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/uplinehq/upline/adapters/webhook"
	"github.com/uplinehq/upline/adapters/webhook/inboxtest"
)

func TestInboxConformance(t *testing.T) {
	requireServer(t)
	inboxtest.Run(t, func(t *testing.T) webhook.Inbox { return newStore(t).Inbox() })
}

// A delivery's arrival is fixed, and a done one stays done, even for a
// client that writes SQL of its own.
func TestInboxRefusesRewrites(t *testing.T) {
	s := newStore(t)
	in := s.Inbox()
	inbox := pgx.Identifier{s.Schema(), "inbox"}.Sanitize()
	r := webhook.Record{ID: "shopify-1", Source: "shopify", Body: []byte(`{}`), State: webhook.Done, Outcome: "posted"}
	if err := in.Put(ctx, &r); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, sql string }{
		{"the body", "UPDATE %s SET body = 'x'"},
		{"the received instant", "UPDATE %s SET received_ns = 1"},
		{"the source", "UPDATE %s SET source = 'woocommerce'"},
		{"done to held", "UPDATE %s SET state = 'held'"},
	} {
		t.Run(c.what, func(t *testing.T) {
			_, err := s.Pool().Exec(ctx, fmt.Sprintf(c.sql, inbox))
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				t.Fatalf("%s: %v; want insufficient_privilege", c.sql, err)
			}
		})
	}
	got, _, err := in.Get(ctx, r.ID)
	if err != nil || string(got.Body) != `{}` || got.State != webhook.Done {
		t.Errorf("after refused rewrites: body %q, state %v, %v", got.Body, got.State, err)
	}
	// What delivering did may change.
	if _, err := s.Pool().Exec(ctx, "UPDATE "+inbox+" SET attempts = 7"); err != nil {
		t.Errorf("updating attempts: %v", err)
	}
}

// Scan reads the inbox a page at a time: across pages, every record once,
// in the order recorded.
func TestInboxScanPages(t *testing.T) {
	in := newStore(t).Inbox()
	const n = 1201
	for i := range n {
		r := webhook.Record{ID: fmt.Sprintf("shopify-%05d", n-i), Source: "shopify", State: webhook.Held, Reason: webhook.ReasonStore}
		if err := in.Put(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	i := 0
	err := in.Scan(ctx, func(r webhook.Record) error {
		if want := fmt.Sprintf("shopify-%05d", n-i); r.ID != want {
			return fmt.Errorf("record %d is %s, want %s", i, r.ID, want)
		}
		i++
		return nil
	})
	if err != nil || i != n {
		t.Errorf("scanned %d of %d: %v", i, n, err)
	}
}
