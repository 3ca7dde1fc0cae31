package postgres_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/adapters/postgres"
	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

var placed = time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC)

func adjustment(id, member, currency, amount string, effective time.Time) ledger.Entry {
	return ledger.Entry{ID: id, Type: ledger.TypeAdjustment, Member: member, Currency: currency,
		Amount: decimal.RequireFromString(amount), Effective: effective, Posted: effective, Reason: "test"}
}

func readStream(t *testing.T, s ledger.Store, stream string) []ledger.Entry {
	t.Helper()
	es, _, err := s.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// Amounts come back with the same coefficient and exponent, not only the
// same value: "1.50" stays "1.50", so the currency's digits survive.
func TestAmountsExact(t *testing.T) {
	s := newStore(t)
	cases := []struct{ currency, amount string }{
		{"JPY", "1200"}, {"JPY", "0"}, {"JPY", "-7"},
		{"USD", "12.34"}, {"USD", "1.50"}, {"USD", "0.00"}, {"USD", "-0.01"},
		{"KWD", "1.005"}, {"KWD", "-12.345"}, {"KWD", "0.000"},
		{"USD", "123456789012345678901234567890.123456789"},
	}
	var in []ledger.Entry
	for i, c := range cases {
		in = append(in, adjustment(fmt.Sprint("a", i), "A", c.currency, c.amount, placed))
	}
	if err := s.Append(ctx, "amounts", 0, in); err != nil {
		t.Fatal(err)
	}
	got := readStream(t, open(t, s.Schema()), "amounts")
	for i, c := range cases {
		a := got[i].Amount
		if a.String() != decimal.RequireFromString(c.amount).String() || a.Exponent() != in[i].Amount.Exponent() ||
			a.Coefficient().Cmp(in[i].Amount.Coefficient()) != 0 {
			t.Errorf("%s %s read back as %s (coefficient %s, exponent %d)", c.currency, c.amount, a, a.Coefficient(), a.Exponent())
		}
	}
	// The database holds numeric, not a float: it sums exactly.
	var sum string
	if err := s.Pool().QueryRow(ctx, "SELECT sum(amount)::text FROM "+pgx.Identifier{s.Schema(), "entries"}.Sanitize()+" WHERE currency = 'KWD'").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if sum != "-11.340" {
		t.Errorf("sum of KWD amounts in SQL: %s, want -11.340", sum)
	}
}

// Ids above 2^53, instants one nanosecond apart and at the ends of the
// representable range come back exactly.
func TestIDsAndInstantsExact(t *testing.T) {
	s := newStore(t)
	base := time.Date(2025, 9, 1, 0, 0, 0, 999_999_999, time.FixedZone("CEST", 2*3600))
	key := normalize.Key{Platform: normalize.Shopify, Store: "acme.myshopify.com", OrderID: "9007199254740993"}
	in := []ledger.Entry{
		{ID: "9007199254740993", Type: ledger.TypeFrozen, Currency: "USD", Order: key, Effective: base, Posted: base.Add(time.Nanosecond),
			Revision: base.Add(2 * time.Nanosecond), Placed: time.Unix(0, 1), Lock: commission.Lock{Known: base.Add(-time.Nanosecond), PlanID: "p", PlanVersion: 7}},
		{ID: "18446744073709551617", Type: ledger.TypeAdjustment, Member: "123456789012345678901", Currency: "USD",
			Effective: time.Unix(0, -1<<63).UTC(), Posted: time.Unix(0, 1<<63-1)},
		{ID: "zero instants", Type: ledger.TypeAdjustment, Member: "Z", Currency: "USD"},
	}
	if err := s.Append(ctx, "ids", 0, in); err != nil {
		t.Fatal(err)
	}
	got := readStream(t, open(t, s.Schema()), "ids")
	for i, w := range in {
		g := got[i]
		if g.ID != w.ID || g.Member != w.Member || g.Order != w.Order || g.Lock.PlanVersion != w.Lock.PlanVersion {
			t.Errorf("entry %d: %+v, want %+v", i, g, w)
		}
		for _, p := range []struct {
			name      string
			got, want time.Time
		}{{"effective", g.Effective, w.Effective}, {"posted", g.Posted, w.Posted}, {"revision", g.Revision, w.Revision},
			{"placed", g.Placed, w.Placed}, {"lock known", g.Lock.Known, w.Lock.Known}} {
			if !p.got.Equal(p.want) || p.got.IsZero() != p.want.IsZero() {
				t.Errorf("entry %s: %s %s, want %s", w.ID, p.name, p.got.Format(time.RFC3339Nano), p.want.Format(time.RFC3339Nano))
			}
		}
	}
	// A scan bound one nanosecond away from an entry's instant tells them apart.
	var ids []string
	if err := s.Scan(ctx, ledger.Filter{From: base, To: base.Add(time.Nanosecond)}, func(e *ledger.Entry) error {
		ids = append(ids, e.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, " ") != "9007199254740993" {
		t.Errorf("effective in [base, base+1ns): %v", ids)
	}
}

// The golden events played through PostgreSQL come back byte-identical,
// and the database holds the bytes the engine wrote.
func TestGoldenEventsByteIdentical(t *testing.T) {
	f, err := os.ReadFile("../../commission/testdata/golden/kit_events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(t)
	var lines [][]byte
	var in []ledger.Entry
	sc := bufio.NewScanner(bytes.NewReader(f))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		var ev commission.Event
		if err := ev.UnmarshalJSON(line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
		in = append(in, ledger.Entry{ID: ev.ID.String(), Type: ledger.TypeCommission, Member: ev.Beneficiary, Currency: ev.Currency,
			Amount: ev.Amount(), Effective: ev.Effective, Posted: placed, Order: ev.Order, Rule: ev.Rule, Event: &ev})
	}
	if len(in) == 0 {
		t.Fatal("no golden events")
	}
	if err := s.Append(ctx, "golden", 0, in); err != nil {
		t.Fatal(err)
	}
	for i, e := range readStream(t, open(t, s.Schema()), "golden") {
		if got := e.Event.AppendJSON(nil); !bytes.Equal(got, lines[i]) {
			t.Errorf("event %d read back:\n%s\nwant:\n%s", i, got, lines[i])
		}
	}
	// The database holds each event's bytes without its calc_snapshot, and
	// the snapshot — the calculation's, shared by its events — once.
	rows, err := s.Pool().Query(ctx, "SELECT e.event_json, n.json, n.snapshot->'plan'->>'id' FROM "+
		pgx.Identifier{s.Schema(), "entries"}.Sanitize()+" e JOIN "+pgx.Identifier{s.Schema(), "snapshots"}.Sanitize()+
		" n ON n.hash = e.snapshot ORDER BY e.seq")
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var raw, snap []byte
		var plan string
		if err := rows.Scan(&raw, &snap, &plan); err != nil {
			t.Fatal(err)
		}
		joined := append(append(bytes.Clone(raw[:len(raw)-1]), `,"calc_snapshot":`...), append(snap, '}')...)
		if !bytes.Equal(joined, lines[i]) || bytes.Contains(raw, []byte("calc_snapshot")) || plan != "acme" {
			t.Errorf("row %d: event_json %q, snapshot %q, plan %q", i, raw, snap, plan)
		}
		i++
	}
	if rows.Err() != nil || i != len(lines) {
		t.Fatalf("%d rows, %v", i, rows.Err())
	}
	var snapshots int
	if err := s.Pool().QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{s.Schema(), "snapshots"}.Sanitize()).Scan(&snapshots); err != nil {
		t.Fatal(err)
	}
	if snapshots != 1 {
		t.Errorf("%d snapshots stored for one calculation's events, want 1", snapshots)
	}
}

// TestStoredSizeGrowsWithEvents posts orders of 100 and 1,000 lines: the
// bytes stored for their events and snapshots grow with the events (about
// 10×), not with events × lines (about 100×).
func TestStoredSizeGrowsWithEvents(t *testing.T) {
	s := newStore(t)
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	size := func(lines int) (bytes int64, events int) {
		t.Helper()
		o := ledgerworld.LargeOrder(fmt.Sprint("size-", lines), lines)
		res, err := l.Post(ctx, &o, ledgerworld.Placed)
		if err != nil || res.Outcome != ledger.Posted {
			t.Fatal(res.Outcome, err)
		}
		stream := ledger.OrderStream(o.Key())
		err = s.Pool().QueryRow(ctx, "SELECT coalesce(sum(length(e.event_json)), 0) + coalesce((SELECT sum(length(n.json)) FROM "+
			pgx.Identifier{s.Schema(), "snapshots"}.Sanitize()+" n WHERE n.hash IN (SELECT snapshot FROM "+
			pgx.Identifier{s.Schema(), "entries"}.Sanitize()+" WHERE stream = $1)), 0), count(e.event_json) FROM "+
			pgx.Identifier{s.Schema(), "entries"}.Sanitize()+" e WHERE e.stream = $1", stream).Scan(&bytes, &events)
		if err != nil {
			t.Fatal(err)
		}
		return bytes, events
	}
	small, smallEvents := size(100)
	large, largeEvents := size(1000)
	t.Logf("100 lines: %d events, %d bytes; 1,000 lines: %d events, %d bytes", smallEvents, small, largeEvents, large)
	if ratio := float64(large) / float64(small); ratio > 11 || largeEvents != 10*smallEvents {
		t.Errorf("stored bytes grew %.1f× for %d× the events, want about 10×", ratio, largeEvents/smallEvents)
	}
}

// Values PostgreSQL cannot keep exactly are refused as invalid entries,
// and nothing of the append is stored.
func TestUnstorableEntries(t *testing.T) {
	s := newStore(t)
	cases := map[string]ledger.Entry{
		"NUL in text":           adjustment("nul", "A\x00B", "USD", "1", placed),
		"invalid UTF-8":         adjustment("utf8", "A\xffB", "USD", "1", placed),
		"year 1500":             adjustment("early", "A", "USD", "1", time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)),
		"year 2300":             adjustment("late", "A", "USD", "1", time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)),
		"unknown currency body": {ID: "body", Type: ledger.TypeRevision, Body: &normalize.Order{Currency: "XXX1"}},
		"award of no kind":      {ID: "award", Type: ledger.TypeAward, Award: &commission.Award{}},
	}
	for name, e := range cases {
		t.Run(name, func(t *testing.T) {
			err := s.Append(ctx, "bad", 0, []ledger.Entry{adjustment("ok", "A", "USD", "1", placed), e})
			if !errors.Is(err, ledger.ErrInvalidEntry) {
				t.Errorf("got %v, want ErrInvalidEntry", err)
			}
		})
	}
	if es := readStream(t, s, "bad"); len(es) != 0 {
		t.Errorf("refused appends stored %d entries", len(es))
	}
}

// The database itself refuses to change history, whatever the client.
func TestHistoryCannotBeRewritten(t *testing.T) {
	s := newStore(t)
	if err := s.Append(ctx, "s", 0, []ledger.Entry{adjustment("a", "A", "USD", "10.00", placed), adjustment("b", "B", "USD", "5.00", placed)}); err != nil {
		t.Fatal(err)
	}
	tbl := pgx.Identifier{s.Schema(), "entries"}.Sanitize()
	for _, sql := range []string{
		"UPDATE " + tbl + " SET amount = 1000000 WHERE id = 'a'",
		"UPDATE " + tbl + " SET amount = amount WHERE false",
		"DELETE FROM " + tbl + " WHERE id = 'b'",
		"DELETE FROM " + tbl,
		"TRUNCATE " + tbl,
		"INSERT INTO " + tbl + " SELECT * FROM " + tbl + " WHERE id = 'a' ON CONFLICT (position) DO UPDATE SET amount = 0",
	} {
		_, err := s.Pool().Exec(ctx, sql)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) || pg.Code != "42501" || !strings.Contains(pg.Message, "append-only") {
			t.Errorf("%s: %v, want refused as append-only", sql, err)
		}
	}
	es := readStream(t, s, "s")
	if len(es) != 2 || es[0].Amount.String() != "10" || es[1].ID != "b" {
		t.Errorf("entries after refused changes: %+v", es)
	}
}

func TestMigrations(t *testing.T) {
	t.Run("processes starting together migrate once", func(t *testing.T) {
		schema := schemaFor(t)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := postgres.Open(ctx, dsn(), postgres.Options{Schema: schema})
				if err == nil {
					s.Close()
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		s := open(t, schema)
		var n, max int
		if err := s.Pool().QueryRow(ctx, "SELECT count(*), max(version) FROM "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&n, &max); err != nil {
			t.Fatal(err)
		}
		if n != max || n < 1 {
			t.Errorf("%d migrations recorded, newest %d", n, max)
		}
	})
	t.Run("a newer schema is refused", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Pool().Exec(ctx, "INSERT INTO "+pgx.Identifier{s.Schema(), "schema_migrations"}.Sanitize()+" (version, name) VALUES (9999, '9999_future.sql')"); err != nil {
			t.Fatal(err)
		}
		_, err := postgres.Open(ctx, dsn(), postgres.Options{Schema: s.Schema()})
		if !errors.Is(err, postgres.ErrSchemaTooNew) || !strings.Contains(err.Error(), "9999") {
			t.Errorf("got %v, want ErrSchemaTooNew naming migration 9999", err)
		}
	})
}
