package ledger_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ingest/ingesttest"
	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/sku"
)

// playScenario plays a scenario of testdata/scenarios into a ledger over a
// memory store and returns both.
func playScenario(t testing.TB, name string) (*ingesttest.Scenario, *ledger.Ledger) {
	t.Helper()
	s, err := ingesttest.Load(filepath.Join("..", "testdata", "scenarios", name))
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
// as the candidate: nothing may differ, in any order, rule or member.
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
			c, err := l.WhatIf(ctx, all, s.Engine)
			if err != nil {
				t.Fatal(err)
			}
			if c.Orders == 0 || c.Changed != 0 || len(c.Held) != 0 || len(c.Totals) == 0 {
				t.Fatalf("orders %d, changed %d, held %v, totals %v", c.Orders, c.Changed, c.Held, c.Totals)
			}
			for _, tot := range c.Totals {
				if !tot.Delta.IsZero() || !tot.Volume.Equal(tot.CandidateVolume) || tot.LiveShare != tot.CandidateShare {
					t.Errorf("total %+v", tot)
				}
			}
			for _, r := range append(c.Rules, c.Members...) {
				if !r.Delta.IsZero() || !r.Live.Equal(r.Candidate) {
					t.Errorf("row %+v", r)
				}
			}
		})
	}
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
	s, l := playScenario(t, "retail-profit")
	p, err := commission.LoadPlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	candidate, err := s.Candidate(cat, p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.WhatIf(ctx, ledger.Month(2025, time.August), candidate)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
