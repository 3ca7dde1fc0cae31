package postgres_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/internal/testworld"
	"github.com/uplinehq/upline/ledger"
)

// ownPV is a period rule for the test: 10% of every member's PV, which it
// also carries forward.
type ownPV struct{}

func (ownPV) Name() string { return "own_pv" }

func (ownPV) ApplyPeriod(c *commission.PeriodContext) error {
	for _, m := range c.Order() {
		if pv := c.Volumes(m).PV; !pv.IsZero() {
			if err := c.Pay(commission.PeriodPayout{Beneficiary: m, Source: m, Basis: pv, Rate: decimal.RequireFromString("0.10"),
				Figures: []commission.Figure{{Name: "pv", Value: pv}}}); err != nil {
				return err
			}
			if err := c.Carry(m, 1, pv); err != nil {
				return err
			}
		}
	}
	return nil
}

// A period's close on PostgreSQL: its awards, carries and close record
// come back as they were appended, so a close again is a no-op and a
// close after a late refund posts only its corrections.
func TestPeriodClose(t *testing.T) {
	s := newStore(t)
	plan := strings.Replace(ledgerworld.Plan, `"rules":[`, `"period":{"length":"month","currency":"USD",
	  "ranks":[{"rank":1,"pv":"50"}],"rules":[{"type":"own_pv","name":"own_pv"}]},"rules":[`, 1)
	p, err := commission.LoadPlan([]byte(plan), commission.WithPeriodRuleType("own_pv",
		func(string, json.RawMessage) (commission.PeriodRule, error) { return ownPV{}, nil }))
	if err != nil {
		t.Fatal(err)
	}
	g, err := testworld.Genealogy(testworld.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := testworld.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	e, err := commission.New(cat, g, p)
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(s, e)
	w := &ledgerworld.World{Engine: e}
	life := w.Life(t, "8001", "C", placed)
	for _, o := range life[:3] {
		if _, err := l.Post(ctx, &o, o.Version); err != nil {
			t.Fatal(err)
		}
	}
	sep := time.Date(2025, 9, 5, 0, 0, 0, 0, time.UTC)
	first, err := l.Close(ctx, "2025-08", sep)
	if err != nil || first.Outcome != ledger.Posted {
		t.Fatalf("close: %v %s", err, first.Outcome)
	}
	back := readStream(t, open(t, s.Schema()), ledger.PeriodStream("ledgertest", "2025-08"))
	if len(back) != 3 || back[0].Award == nil || back[1].Carry == nil || back[2].Close == nil {
		t.Fatalf("read back %d entries: %+v", len(back), back)
	}
	if got, want := string(back[0].Award.AppendJSON(nil)), string(first.Entries[0].Award.AppendJSON(nil)); got != want {
		t.Errorf("award read back:\n%s\nwant\n%s", got, want)
	}
	if c := back[1].Carry; c.Member != "C" || c.Leg != 1 || c.Volume.String() != "120" || c.Rule != "own_pv" {
		t.Errorf("carry read back: %+v", c)
	}
	if c := back[2].Close; *c != *first.Entries[2].Close {
		t.Errorf("close read back: %+v, want %+v", c, first.Entries[2].Close)
	}
	again, err := l.Close(ctx, "2025-08", sep.Add(time.Hour))
	if err != nil || again.Outcome != ledger.Duplicate {
		t.Fatalf("close again: %v %s", err, again.Outcome)
	}
	if _, err := l.Post(ctx, &life[3], life[3].Version); err != nil {
		t.Fatal(err)
	}
	corr, err := l.Close(ctx, "2025-08", sep.Add(72*time.Hour)) // the refund is posted on 7 September, 08:11
	if err != nil {
		t.Fatal(err)
	}
	if len(corr.Entries) != 3 || corr.Entries[0].Amount.String() != "-7" || corr.Entries[1].Carry.Volume.String() != "-70" {
		t.Fatalf("re-close after a refund: %+v", corr.Entries)
	}
}
