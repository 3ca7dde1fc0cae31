package postgres_test

import (
	"context"
	"testing"

	"github.com/uplinehq/upline/adapters/postgres"
	"github.com/uplinehq/upline/adapters/postgres/pgtest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/ledger/ledgertest"
)

var ctx = context.Background()

func dsn() string { return pgtest.DSN() }

func requireServer(t testing.TB) { t.Helper(); pgtest.Require(t) }

func schemaFor(t testing.TB) string { t.Helper(); return pgtest.Schema(t) }

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

// TestPayoutIndexType: migration 0005 indexes the entries of type 4 as
// the payouts a payout run sums.
func TestPayoutIndexType(t *testing.T) {
	if ledger.TypePayout != 4 {
		t.Fatalf("ledger.TypePayout is %d; migration 0005's entries_payout_idx indexes type 4", ledger.TypePayout)
	}
}
