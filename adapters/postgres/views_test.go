package postgres_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
)

// The analysts' views, after World's paid order credited to C (B 16.30,
// A 7.55, ROOT 3.02) and a payout run that pays A and B and holds ROOT.
func TestViews(t *testing.T) {
	s := newStore(t)
	w := ledgerworld.NewWorld(t)
	l := ledger.New(s, w.Engine)
	placed := ledgerworld.Placed
	paid := w.Life(t, "1001", "C", placed)[1]
	if _, err := l.Post(ctx, &paid, placed.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	payday := time.Date(2025, 9, 1, 0, 0, 0, 123456789, time.UTC)
	if _, err := l.Payout(ctx, ledger.Run{ID: "2025-08", Period: ledger.Period{From: ledgerworld.Jan, To: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}, At: payday,
		Holds: map[string]string{"ROOT": "kyc"}}); err != nil {
		t.Fatal(err)
	}
	query := func(t *testing.T, sql string) []string {
		t.Helper()
		conn, err := s.Pool().Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Release()
		if _, err := conn.Exec(ctx, "SET search_path TO "+pgx.Identifier{s.Schema()}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		defer conn.Exec(ctx, "RESET search_path")
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, v := range vals {
				cols = append(cols, fmtValue(v))
			}
			out = append(out, strings.Join(cols, " | "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	const order = "shopify/ledgertest.myshopify.com/1001"
	for _, c := range []struct {
		view, sql string
		want      []string
	}{
		{"balances", "SELECT member, currency, balance::text, earned::text, clawed_back::text, adjusted::text, paid::text, entries FROM balances ORDER BY member, currency",
			[]string{
				"A | USD | 0.00 | 7.55 | 0 | 0 | 7.55 | 3",
				"B | USD | 0.00 | 16.30 | 0 | 0 | 16.30 | 5",
				"ROOT | USD | 3.02 | 3.02 | 0 | 0 | 0 | 2",
			}},
		{"statements", "SELECT member, type, amount::text, effective_ns, effective, coalesce(order_key, '-'), coalesce(rule, '-'), coalesce(run, '-') FROM statements ORDER BY position",
			[]string{
				"B | commission | 6.00 | 1756368664000000000 | 2025-08-28T08:11:04Z | " + order + " | unilevel | -",
				"A | commission | 3.00 | 1756368664000000000 | 2025-08-28T08:11:04Z | " + order + " | unilevel | -",
				"ROOT | commission | 1.20 | 1756368664000000000 | 2025-08-28T08:11:04Z | " + order + " | unilevel | -",
				"B | commission | 0.60 | 1756368664000000000 | 2025-08-28T08:11:04Z | " + order + " | cv_bonus | -",
				"B | commission | 9.10 | 1756368664000000000 | 2025-08-28T08:11:04Z | " + order + " | unilevel | -",
				"A | commission | 4.55 | 1756368664000000000 | 2025-08-28T08:11:04Z | " + order + " | unilevel | -",
				"ROOT | commission | 1.82 | 1756368664000000000 | 2025-08-28T08:11:04Z | " + order + " | unilevel | -",
				"B | commission | 0.60 | 1756368664000000000 | 2025-08-28T08:11:04Z | " + order + " | cv_bonus | -",
				// The payout's instant keeps its nanoseconds in effective_ns only.
				"A | payout | -7.55 | 1756684800123456789 | 2025-09-01T00:00:00.123456Z | - | - | 2025-08",
				"B | payout | -16.30 | 1756684800123456789 | 2025-09-01T00:00:00.123456Z | - | - | 2025-08",
			}},
		{"events", `SELECT beneficiary, type, amount::text, rule, order_key, event->>'amount', event->>'line_id',
			calc_snapshot->'credited'->>'member', event->'calc_snapshot' = calc_snapshot, calc_snapshot->'plan'->>'id'
			FROM events ORDER BY position`,
			[]string{
				"B | commission | 6.00 | unilevel | " + order + " | 6.00 | 1 | C | true | ledgertest",
				"A | commission | 3.00 | unilevel | " + order + " | 3.00 | 1 | C | true | ledgertest",
				"ROOT | commission | 1.20 | unilevel | " + order + " | 1.20 | 1 | C | true | ledgertest",
				"B | commission | 0.60 | cv_bonus | " + order + " | 0.60 | 1 | C | true | ledgertest",
				"B | commission | 9.10 | unilevel | " + order + " | 9.10 | 2 | C | true | ledgertest",
				"A | commission | 4.55 | unilevel | " + order + " | 4.55 | 2 | C | true | ledgertest",
				"ROOT | commission | 1.82 | unilevel | " + order + " | 1.82 | 2 | C | true | ledgertest",
				"B | commission | 0.60 | cv_bonus | " + order + " | 0.60 | 2 | C | true | ledgertest",
			}},
	} {
		t.Run(c.view, func(t *testing.T) {
			if d := cmp.Diff(c.want, query(t, c.sql)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}

	// Each view agrees with the ledger it reads: balances with Balances.
	t.Run("balances equal the ledger's", func(t *testing.T) {
		want := ledgerworld.Balances(t, l, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
		got := query(t, "SELECT member || ' ' || currency || ' ' || to_char(balance, 'FM999990.00') FROM balances ORDER BY member, currency")
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("(-ledger +view):\n%s", d)
		}
	})

	// entry_types names every ledger.Type as the ledger does.
	t.Run("entry_types", func(t *testing.T) {
		var want []string
		for ty := ledger.Type(1); !strings.HasPrefix(ty.String(), "type("); ty++ {
			want = append(want, ty.String())
		}
		if d := cmp.Diff(want, query(t, "SELECT name FROM entry_types ORDER BY type")); d != "" {
			t.Errorf("(-ledger +entry_types):\n%s", d)
		}
	})
}

// fmtValue renders a value a row holds as the tests compare it.
func fmtValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}
