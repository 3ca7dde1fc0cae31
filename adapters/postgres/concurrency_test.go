package postgres_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/adapters/postgres"
	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
)

// 100 goroutines over 4 connections post one order's revisions, its
// refund and duplicates of them all, then 20 race one payout run: each
// correction and each payout lands exactly once, and every run reports
// the same payments.
func TestConcurrentPostsAndPayouts(t *testing.T) {
	schema := schemaFor(t)
	cfg, err := pgxpool.ParseConfig(dsn())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := postgres.New(ctx, pool, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	w := ledgerworld.NewWorld(t)
	ds, err := deliveries(w, 1)
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(s, w.Engine, ledger.Options{Attempts: 1000})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 100 {
		wg.Go(func() {
			if _, err := deliver(l, ds[g%len(ds)]); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if st := pool.Stat(); st.MaxConns() != 4 || st.TotalConns() < 2 {
		t.Errorf("pool: %d of at most %d connections used", st.TotalConns(), st.MaxConns())
	}
	if d := cmp.Diff(cleanOutcome(t, w, ds), outcomeOf(t, l, ds)); d != "" {
		t.Errorf("after racing posts (-clean +raced):\n%s", d)
	}

	run := ledger.Run{ID: "2025-10", Period: ledger.Period{From: ledgerworld.Jan, To: postAt}, At: postAt,
		Minimum: map[string]decimal.Decimal{"USD": decimal.RequireFromString("1.00")}}
	results := make([]ledger.PayoutResult, 20)
	errs = make(chan error, len(results))
	for i := range results {
		wg.Go(func() {
			r, err := l.Payout(ctx, run)
			results[i] = r
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var paid []string
	if err := s.Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypePayout, ledger.TypeRun}}, func(e *ledger.Entry) error {
		paid = append(paid, e.Type.String()+" "+e.Member+" "+e.Amount.StringFixed(2))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"run  0.00", "payout A -2.00", "payout B -4.40"}, paid); d != "" {
		t.Errorf("payout entries after 20 racing runs (-want +got):\n%s", d)
	}
	for i, r := range results {
		if d := cmp.Diff(results[0].Paid, r.Paid); d != "" {
			t.Errorf("run %d reports other payments (-first +this):\n%s", i, d)
		}
	}
	if got := ledgerworld.Balances(t, l, postAt.Add(time.Hour)); !cmp.Equal(got, []string{"A USD 0.00", "B USD 0.00", "ROOT USD 0.80"}) {
		t.Errorf("balances after the payout: %v", got)
	}
	// ROOT's 0.80 is below the minimum: carried, in every run's report.
	for i, r := range results {
		if len(r.BelowMinimum) != 0 && (len(r.BelowMinimum) != 1 || r.BelowMinimum[0].Member != "ROOT") {
			t.Errorf("run %d: below the minimum %v", i, r.BelowMinimum)
		}
	}
}
