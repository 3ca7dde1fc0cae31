package ledger_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ingest/ingesttest"
	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/sku"
)

// playScenario plays a scenario of testdata/scenarios (or the one in the
// folder name, when absolute) into a ledger over a memory store and
// returns both.
func playScenario(t testing.TB, name string) (*ingesttest.Scenario, *ledger.Ledger) {
	t.Helper()
	if !filepath.IsAbs(name) {
		name = filepath.Join("..", "testdata", "scenarios", name)
	}
	s, err := ingesttest.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(ledger.NewMemory(), s.Engine)
	if _, err := s.PlayOn(l); err != nil {
		t.Fatal(err)
	}
	return s, l
}

// TestWhatIfGolden runs retail-profit's history under its plan's version 2
// (retail 20% and devices 10% instead of 25% and 15%; unilevel 8% then 4%
// instead of 10%) and compares the comparison, as a table and as JSON,
// with the golden files.
func TestWhatIfGolden(t *testing.T) {
	c := retailWhatIf(t, nil, readFile(t, "testdata/whatif/retail-profit-v2.json"))
	var table bytes.Buffer
	if err := c.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/whatif/retail-profit.txt", table.Bytes())
	j, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/whatif/retail-profit.json", append(j, '\n'))
}

// TestWhatIfLiveIsZero runs every scenario's history with its own engine
// as the candidate: nothing may differ, in any order, rule or member. A
// scenario that closes periods is compared over each period it closes,
// period bonuses included, and over all time is refused.
func TestWhatIfLiveIsZero(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "steps"))
	if err != nil || len(dirs) == 0 {
		t.Fatal("no scenarios", err)
	}
	all := ledger.Period{To: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, d := range dirs {
		name := filepath.Base(filepath.Dir(d))
		t.Run(name, func(t *testing.T) {
			s, l := playScenario(t, name)
			closes := closedPeriods(t, s)
			if len(closes) == 0 {
				liveIsZero(t, l, all, s.Engine, false)
				return
			}
			if _, err := l.WhatIf(ctx, all, s.Engine); !errors.Is(err, ledger.ErrPeriodMismatch) {
				t.Errorf("all time: err %v, want ErrPeriodMismatch", err)
			}
			for _, per := range closes {
				liveIsZero(t, l, ledger.Period{From: per.From, To: per.To}, s.Engine, true)
			}
		})
	}
}

// liveIsZero checks that the what-if of p with the ledger's own engine
// differs nowhere, and compares period bonuses (the live period closed)
// when bonuses says so.
func liveIsZero(t *testing.T, l *ledger.Ledger, p ledger.Period, e *commission.Engine, bonuses bool) {
	t.Helper()
	c, err := l.WhatIf(ctx, p, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.Orders == 0 || c.Changed != 0 || len(c.Held) != 0 || len(c.Totals) == 0 {
		t.Fatalf("%v: orders %d, changed %d, held %v, totals %v", p, c.Orders, c.Changed, c.Held, c.Totals)
	}
	totals, rows := c.Totals, append(c.Rules, c.Members...)
	switch b := c.Bonuses; {
	case (b != nil) != bonuses:
		t.Fatalf("%v: bonuses %+v, want them %v", p, b, bonuses)
	case b != nil:
		_, plan, err := e.Period(b.Period.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A plan with ranks but no period rules pays no bonuses.
		if !b.LiveClosed || (len(b.Rules) == 0) != (len(plan.Period.Rules) == 0) || len(b.Totals) != min(len(b.Rules), 1) {
			t.Fatalf("period %s: live closed %v, totals %v, rules %v, members %v", b.Period.ID, b.LiveClosed, b.Totals, b.Rules, b.Members)
		}
		totals, rows = append(totals, b.Totals...), append(append(rows, b.Rules...), b.Members...)
	}
	for _, tot := range totals {
		if !tot.Delta.IsZero() || !tot.Live.Equal(tot.Candidate) || !tot.Volume.Equal(tot.CandidateVolume) || tot.LiveShare != tot.CandidateShare {
			t.Errorf("%v: total %+v", p, tot)
		}
	}
	for _, r := range rows {
		if !r.Delta.IsZero() || !r.Live.Equal(r.Candidate) || r.LiveShare != r.CandidateShare {
			t.Errorf("%v: row %+v", p, r)
		}
	}
}

// closedPeriods returns the periods a scenario's close steps close, once
// each, in step order.
func closedPeriods(t *testing.T, s *ingesttest.Scenario) []commission.Period {
	t.Helper()
	var out []commission.Period
	for _, step := range s.Steps {
		if !strings.Contains(filepath.Base(step), "-close") {
			continue
		}
		var c struct{ Period string }
		if err := json.Unmarshal(readFile(t, filepath.Join(s.Dir, "steps", step)), &c); err != nil {
			t.Fatal(step, err)
		}
		per, _, err := s.Engine.Period(c.Period)
		if err != nil {
			t.Fatal(step, err)
		}
		if !slices.Contains(out, per) {
			out = append(out, per)
		}
	}
	return out
}

// TestWhatIfCatalog runs retail-profit's history with its own plan over a
// catalog in which the diffuser earns nothing: order 4001's diffuser line
// (45.50 net, CV 25) leaves the volume, and with it D's 6.83 retail
// profit (45.50 × 0.15) and A's 2.50 unilevel (25 × 0.10).
func TestWhatIfCatalog(t *testing.T) {
	cat, err := sku.LoadJSON(readFile(t, "testdata/whatif/retail-profit-catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := retailWhatIf(t, cat, readFile(t, "../testdata/scenarios/retail-profit/plan.json"))
	var got []string
	for _, tot := range c.Totals {
		got = append(got, fmt.Sprintf("total %s volume %s → %s, paid %s → %s (%s)", tot.Currency, tot.Volume,
			tot.CandidateVolume, tot.Live, tot.Candidate, tot.Delta))
	}
	for _, r := range c.Members {
		got = append(got, fmt.Sprintf("member %s %s → %s (%s)", r.Name, r.Live, r.Candidate, r.Delta))
	}
	want := []string{
		"total USD volume 178.82 → 133.32, paid 32.4 → 23.07 (-9.33)",
		"member A 8.9 → 6.4 (-2.5)",
		"member D 23.5 → 16.67 (-6.83)",
	}
	if diff := cmp.Diff(want, got); diff != "" || c.Orders != 3 || c.Changed != 1 {
		t.Errorf("orders %d, changed %d (want 3, 1); -want +got:\n%s", c.Orders, c.Changed, diff)
	}
}

// TestWhatIfHeld: a candidate with no plan version in force when the
// orders were placed cannot calculate them; they are held, with the
// reason, and left out of the sums.
func TestWhatIfHeld(t *testing.T) {
	c := retailWhatIf(t, nil, []byte(`{"id":"acme-retail","version":3,"effective_from":"2025-09-01T00:00:00Z",
		"rules":[{"type":"retail_profit","name":"retail","basis":"net","rates":{"*":"0.20"}}]}`))
	var got []string
	for _, h := range c.Held {
		got = append(got, h.Order.String()+": "+h.Reason)
	}
	want := []string{
		"shopify/acme.myshopify.com/4001: commission: no plan version in force: order shopify/acme.myshopify.com/4001: no version of plan acme-retail in force at 2025-08-28T08:11:04Z",
		"shopify/acme.myshopify.com/4002: commission: no plan version in force: order shopify/acme.myshopify.com/4002: no version of plan acme-retail in force at 2025-08-29T10:00:00Z",
		"shopify/acme.myshopify.com/4003: commission: no plan version in force: order shopify/acme.myshopify.com/4003: no version of plan acme-retail in force at 2025-08-30T10:00:00Z",
	}
	if diff := cmp.Diff(want, got); diff != "" || c.Orders != 3 || len(c.Totals) != 0 || len(c.Rules) != 0 {
		t.Errorf("orders %d, totals %v, rules %v; held -want +got:\n%s", c.Orders, c.Totals, c.Rules, diff)
	}
}

// retailWhatIf plays retail-profit's history and runs August under the
// candidate plan (and catalog, when not nil).
func retailWhatIf(t *testing.T, cat *sku.Catalog, plan []byte) *ledger.Comparison {
	t.Helper()
	c, err := runWhatIf(t, "retail-profit", cat, plan, ledger.Month(2025, time.August))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runWhatIf plays a scenario (see playScenario) and runs period p under
// the candidate plan (and catalog, when not nil).
func runWhatIf(t *testing.T, scenario string, cat *sku.Catalog, plan []byte, p ledger.Period) (*ledger.Comparison, error) {
	t.Helper()
	s, l := playScenario(t, scenario)
	pl, err := commission.LoadPlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	candidate, err := s.Candidate(cat, pl)
	if err != nil {
		t.Fatal(err)
	}
	return l.WhatIf(ctx, p, candidate)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWhatIfBonuses runs period-matching's January 2026 (A sponsors B,
// who sponsors C; PV 100, 10,000 and 12,000; no order-time rules) under
// a candidate that pays 5% instead of 10% on one's own PV ("personal")
// and a matching bonus of 20% on the first level only, instead of 10%
// then 7%. By hand: personal A 5.00, B 500.00, C 600.00; matching A 20%
// of B's 500.00 = 100.00, B 20% of C's 600.00 = 120.00, and nothing for
// A from C. The live close paid personal 10.00, 1,000.00, 1,200.00 and
// matching A 100.00 + 84.00, B 120.00. Shares are of the 22,100.00 of
// January's orders.
func TestWhatIfBonuses(t *testing.T) {
	tests := []struct {
		name   string
		closed bool
		want   []string
	}{
		{"closed", true, []string{
			"period 2026-01 live closed true known 2026-02-01T00:00:00Z",
			"total USD volume 22100 paid 2514 → 1325 (-1189) shares 0.113755656109 → 0.059954751131",
			"rule matching USD 304 → 220 (-84) shares 0.013755656109 → 0.009954751131",
			"rule personal USD 2210 → 1105 (-1105) shares 0.1 → 0.05",
			"member A USD 194 → 105 (-89) shares 0.008778280543 → 0.004751131222",
			"member B USD 1120 → 620 (-500) shares 0.050678733032 → 0.028054298643",
			"member C USD 1200 → 600 (-600) shares 0.054298642534 → 0.027149321267",
		}},
		// Without the close step the live side is not closed: unknown,
		// not zero, and the candidate closes as of January's end plus
		// the plan's grace (0h).
		{"not closed", false, []string{
			"period 2026-01 live closed false known 2026-02-01T00:00:00Z",
			"total USD volume 22100 paid 0 → 1325 (0) shares  → 0.059954751131",
			"rule matching USD 0 → 220 (0) shares  → 0.009954751131",
			"rule personal USD 0 → 1105 (0) shares  → 0.05",
			"member A USD 0 → 105 (0) shares  → 0.004751131222",
			"member B USD 0 → 620 (0) shares  → 0.028054298643",
			"member C USD 0 → 600 (0) shares  → 0.027149321267",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := matchingWhatIf(t, tt.closed, readFile(t, "testdata/whatif/period-matching-v2.json"))
			b := c.Bonuses
			if b == nil {
				t.Fatal("no bonuses compared")
			}
			got := []string{fmt.Sprintf("period %s live closed %v known %s", b.Period.ID, b.LiveClosed, b.Known.Format(time.RFC3339))}
			for _, tot := range b.Totals {
				got = append(got, fmt.Sprintf("total %s volume %s paid %s → %s (%s) shares %s → %s", tot.Currency, tot.Volume,
					tot.Live, tot.Candidate, tot.Delta, tot.LiveShare, tot.CandidateShare))
			}
			for _, rs := range []struct {
				kind string
				rows []ledger.ComparisonRow
			}{{"rule", b.Rules}, {"member", b.Members}} {
				for _, r := range rs.rows {
					got = append(got, fmt.Sprintf("%s %s %s %s → %s (%s) shares %s → %s", rs.kind, r.Name, r.Currency, r.Live,
						r.Candidate, r.Delta, r.LiveShare, r.CandidateShare))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || c.Orders != 3 || c.Changed != 0 {
				t.Errorf("orders %d, changed %d (want 3, 0); -want +got:\n%s", c.Orders, c.Changed, diff)
			}
		})
	}
}

// TestWhatIfBonusesGolden writes TestWhatIfBonuses's comparisons as
// tables and JSON.
func TestWhatIfBonusesGolden(t *testing.T) {
	for _, closed := range []bool{true, false} {
		name := "period-matching"
		if !closed {
			name += "-not-closed"
		}
		c := matchingWhatIf(t, closed, readFile(t, "testdata/whatif/period-matching-v2.json"))
		var table bytes.Buffer
		if err := c.WriteTable(&table); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "testdata/whatif/"+name+".txt", table.Bytes())
		j, err := c.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "testdata/whatif/"+name+".json", append(j, '\n'))
	}
}

// TestWhatIfBonusesMismatch: a candidate whose month is another time
// zone's, whose periods are weeks where the live plan's are months, or
// whose period bonuses are paid in another currency, is refused; so is a
// what-if over other bounds than one of the candidate's periods.
func TestWhatIfBonusesMismatch(t *testing.T) {
	plan := string(readFile(t, "testdata/whatif/period-matching-v2.json"))
	tests := []struct {
		name, plan string
		period     ledger.Period
		want       error
		msg        string
	}{
		{"time zone", strings.Replace(plan, `"UTC"`, `"Asia/Tokyo"`, 1), ledger.Period{From: time.Date(2025, 12, 31, 15, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 31, 15, 0, 0, 0, time.UTC)},
			ledger.ErrPeriodMismatch, "ledger: what-if periods do not match: period 2026-01 is 2025-12-31T15:00:00Z – 2026-01-31T15:00:00Z for the candidate, 2026-01-01T00:00:00Z – 2026-02-01T00:00:00Z for the live plan"},
		{"weeks", strings.Replace(plan, `"length": "month"`, `"length": "week", "week_start": "monday"`, 1),
			ledger.Period{From: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)},
			ledger.ErrPeriodMismatch, `ledger: what-if periods do not match: the live plan does not close the candidate's period 2026-01-05: commission: period: id "2026-01-05": want a month as YYYY-MM`},
		{"currency", strings.Replace(plan, `"currency": "USD"`, `"currency": "EUR"`, 1), ledger.Month(2026, time.January),
			ledger.ErrCurrencyMismatch, "ledger: what-if currencies do not match: period 2026-01: the candidate pays bonuses in EUR, the live plan in USD"},
		{"year", plan, ledger.Year(2026),
			ledger.ErrPeriodMismatch, "ledger: what-if periods do not match: the candidate closes periods; what-if 2026-01-01T00:00:00Z – 2027-01-01T00:00:00Z is not one of them: ask for period 2026-01 (2026-01-01T00:00:00Z – 2026-02-01T00:00:00Z)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runWhatIf(t, "period-matching", nil, []byte(tt.plan), tt.period)
			if !errors.Is(err, tt.want) || err.Error() != tt.msg {
				t.Errorf("err %v\nwant %s", err, tt.msg)
			}
		})
	}
}

// matchingWhatIf plays period-matching's history — with its close of
// January 2026 when closed, without it otherwise — and runs January
// under the candidate plan.
func matchingWhatIf(t *testing.T, closed bool, plan []byte) *ledger.Comparison {
	t.Helper()
	name := "period-matching"
	if !closed {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "testdata", "scenarios", name))); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dir, "steps", "04-close-2026-01.json")); err != nil {
			t.Fatal(err)
		}
		name = dir
	}
	c, err := runWhatIf(t, name, nil, plan, ledger.Month(2026, time.January))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
