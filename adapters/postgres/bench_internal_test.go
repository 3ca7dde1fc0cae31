package postgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

func benchStore(b *testing.B) *Store {
	b.Helper()
	dsn := os.Getenv("UPLINE_PG_DSN")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	s, err := Open(ctx, dsn, Options{Schema: schema})
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal(err)
		}
		b.Skipf("no PostgreSQL at %s: %v", dsn, err)
	}
	b.Cleanup(func() {
		s.pool.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		s.Close()
	})
	return s
}

// BenchmarkPost posts one new paid order per iteration through the ledger,
// and inserts the same rows with raw pgx (COPY in one transaction) into a
// table of its own, side by side. "of-raw" is the ledger's speed as a
// share of raw pgx's; the target is at least 0.5.
func BenchmarkPost(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	raw := newRawTables(b, s)
	w, err := ledgerworld.BuildWorld()
	if err != nil {
		b.Fatal(err)
	}
	l := ledger.New(s, w.Engine)
	var ledgerTime, rawTime time.Duration
	var rows int
	i := 0
	for b.Loop() {
		revs, err := w.Revisions(fmt.Sprint(9_000_000_000_000_000+i), "C", ledgerworld.Placed)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := l.Post(ctx, &revs[1], ledgerworld.Placed)
		ledgerTime += time.Since(start)
		if err != nil || res.Outcome != ledger.Posted {
			b.Fatal(res.Outcome, err)
		}
		n, d := raw.copy(b, res.Entries)
		rows, rawTime = rows+n, rawTime+d
		i++
	}
	b.ReportMetric(float64(rawTime)/float64(ledgerTime), "of-raw")
	b.ReportMetric(float64(i)/ledgerTime.Seconds(), "orders/s")
	b.ReportMetric(float64(i)/rawTime.Seconds(), "raw-orders/s")
	b.ReportMetric(float64(rows)/float64(i), "rows/order")
}

// BenchmarkBalance measures one member's Balance on a ledger of 10k
// entries and on one of 1M, side by side against the same server; the
// member has the same 100 entries in both. "ratio" is the 1M figure over
// the 10k one: the target is at most 2. "plain" hides the store's
// ledger.Summer, so the ledger adds up the rows Scan returns.
func BenchmarkBalance(b *testing.B) {
	ctx := context.Background()
	small, big := benchStore(b), benchStore(b)
	for _, c := range []struct {
		s *Store
		n int
	}{{small, 10_000}, {big, 1_000_000}} {
		if err := ledgerworld.Synthetic(ctx, c.s, c.n, 100, "ME"); err != nil {
			b.Fatal(err)
		}
		if _, err := c.s.pool.Exec(ctx, "ANALYZE "+c.s.sql.entries.Sanitize()); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("summer", func(b *testing.B) { ledgerworld.BenchBalance(b, small, big) })
	b.Run("plain", func(b *testing.B) {
		ledgerworld.BenchBalance(b, struct{ ledger.Store }{small}, struct{ ledger.Store }{big})
	})
}

// BenchmarkPayout measures a payout run that pays 10 and 100 members
// after 10 past runs and after 1,000, side by side against the same
// server, on ledgers of the same 100k earnings (the past runs paid them:
// 10 × members payouts against 1,000 × members). "ratio" is the
// 1,000-run figure over the 10-run one: the target is about 1.3, a run
// that does not read the runs before it. "plain" hides the store's
// ledger.Tailer and ledger.Summer, so the run reads the payouts stream
// whole and adds up the rows Scan returns.
func BenchmarkPayout(b *testing.B) {
	ctx := context.Background()
	for _, members := range []int{10, 100} {
		small, big := benchStore(b), benchStore(b)
		for _, c := range []struct {
			s    *Store
			runs int
		}{{small, 10}, {big, 1000}} {
			if err := ledgerworld.PayoutHistory(ctx, c.s, 100_000, c.runs, members); err != nil {
				b.Fatal(err)
			}
			// VACUUM too: autovacuum would visit the table just loaded
			// while the runs are measured.
			if _, err := c.s.pool.Exec(ctx, "VACUUM ANALYZE "+c.s.sql.entries.Sanitize()); err != nil {
				b.Fatal(err)
			}
		}
		m := "members=" + strconv.Itoa(members)
		b.Run(m+"/capable", func(b *testing.B) { ledgerworld.BenchPayout(b, small, big, members) })
		b.Run(m+"/plain", func(b *testing.B) {
			ledgerworld.BenchPayout(b, struct{ ledger.Store }{small}, struct{ ledger.Store }{big}, members)
		})
	}
}

// BenchmarkBalances measures every member's balance on a ledger of 1M
// entries (10,001 members, each with about 100 entries): one aggregate.
func BenchmarkBalances(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	if err := ledgerworld.Synthetic(ctx, s, 1_000_000, 100, "ME"); err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE "+s.sql.entries.Sanitize()); err != nil {
		b.Fatal(err)
	}
	l := ledger.New(s, nil)
	for b.Loop() {
		if bs, err := l.Balances(ctx, ledgerworld.Jan.AddDate(1, 0, 0)); err != nil || len(bs) != 10_001 {
			b.Fatal(len(bs), err)
		}
	}
}

// BenchmarkPostAll posts 100 new paid orders per iteration with PostAll
// (one batch: one transaction, one COPY), and inserts the same rows with
// raw pgx (COPY in one transaction) into a table of its own, side by
// side. "of-copy" is PostAll's speed as a share of COPY's; the target is
// at least 0.5.
func BenchmarkPostAll(b *testing.B) {
	const n = 100
	ctx := context.Background()
	s := benchStore(b)
	raw := newRawTables(b, s)
	w, err := ledgerworld.BuildWorld()
	if err != nil {
		b.Fatal(err)
	}
	l := ledger.New(s, w.Engine)
	var ledgerTime, rawTime time.Duration
	var rows, orders int
	for b.Loop() {
		in := make([]normalize.Order, n)
		for j := range in {
			revs, err := w.Revisions(fmt.Sprint(9_100_000_000_000_000+orders), "C", ledgerworld.Placed)
			if err != nil {
				b.Fatal(err)
			}
			in[j] = revs[1]
			orders++
		}
		start := time.Now()
		res, err := l.PostAll(ctx, in, ledgerworld.Placed)
		ledgerTime += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		var entries []ledger.Entry
		for _, r := range res {
			if r.Outcome != ledger.Posted || r.Attempts != 1 {
				b.Fatal(r.Outcome, r.Attempts)
			}
			entries = append(entries, r.Entries...)
		}
		n, d := raw.copy(b, entries)
		rows, rawTime = rows+n, rawTime+d
	}
	b.ReportMetric(float64(rawTime)/float64(ledgerTime), "of-copy")
	b.ReportMetric(float64(orders)/ledgerTime.Seconds(), "orders/s")
	b.ReportMetric(float64(orders)/rawTime.Seconds(), "copy-orders/s")
	b.ReportMetric(float64(rows)/float64(orders), "rows/order")
}

// rawTables are copies of the entries and snapshots tables that the
// benchmarks write the ledger's rows to with raw pgx, to compare.
type rawTables struct {
	s                 *Store
	entries, snapshot pgx.Identifier
}

func newRawTables(b *testing.B, s *Store) rawTables {
	r := rawTables{s: s, entries: pgx.Identifier{s.schema, "raw_entries"}, snapshot: pgx.Identifier{s.schema, "raw_snapshots"}}
	for _, q := range []string{
		"CREATE TABLE " + r.entries.Sanitize() + " (LIKE " + s.sql.entries.Sanitize() + " INCLUDING ALL)",
		"CREATE TABLE " + r.snapshot.Sanitize() + " (LIKE " + pgx.Identifier{s.schema, "snapshots"}.Sanitize() + " INCLUDING ALL)",
	} {
		if _, err := s.pool.Exec(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// copy writes entries' rows and their snapshots in one transaction, with
// COPY, and returns how many rows and how long the transaction took.
func (r rawTables) copy(b *testing.B, entries []ledger.Entry) (int, time.Duration) {
	ctx := context.Background()
	rows := make([][]any, len(entries))
	snaps := make(map[[32]byte][]byte)
	for j := range entries {
		e := entries[j]
		row, err := encode(&e, snaps)
		if err != nil {
			b.Fatal(err)
		}
		row[0], row[2], row[3] = e.Position, e.Stream, e.Seq
		rows[j] = row
	}
	start := time.Now()
	err := pgx.BeginFunc(ctx, r.s.pool, func(tx pgx.Tx) error {
		for h, js := range snaps {
			if _, err := tx.Exec(ctx, "INSERT INTO "+r.snapshot.Sanitize()+" (hash, json, snapshot) VALUES ($1, $2, $3::jsonb) ON CONFLICT (hash) DO NOTHING", h[:], js, string(js)); err != nil {
				return err
			}
		}
		_, err := tx.CopyFrom(ctx, r.entries, columns, pgx.CopyFromRows(rows))
		return err
	})
	d := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	return len(rows), d
}
