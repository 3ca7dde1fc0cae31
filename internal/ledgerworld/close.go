package ledgerworld

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/testworld"
)

// PVBonus is a period rule for the tests: it pays every member 10% of its
// PV plus what it carried from the previous period, and carries its PV
// forward (leg 0).
type PVBonus struct{}

// Name implements commission.PeriodRule.
func (PVBonus) Name() string { return "pv_bonus" }

// ApplyPeriod implements commission.PeriodRule.
func (PVBonus) ApplyPeriod(c *commission.PeriodContext) error {
	for _, m := range c.Order() {
		pv := c.Volumes(m).PV
		basis := pv.Add(c.Carried(m, 0))
		if !basis.IsZero() {
			if err := c.Pay(commission.PeriodPayout{Beneficiary: m, Source: m, Basis: basis, Rate: decimal.RequireFromString("0.10"),
				Figures: []commission.Figure{{Name: "carried", Value: c.Carried(m, 0)}}}); err != nil {
				return err
			}
		}
		if err := c.Carry(m, 0, pv); err != nil {
			return err
		}
	}
	return nil
}

// ClosePlan is Plan with a monthly period: a grace of 72 hours, refunds
// taken off the order's period ("order_period") or the refund's
// ("refund_period"), two ranks (the second with a leg cap) and PVBonus.
func ClosePlan(refunds string) string {
	return strings.Replace(Plan, `"rules":[`, `"ranks":{"1":"Associate","2":"Senior"},
	 "period":{"length":"month","grace":"72h","refunds":"`+refunds+`","currency":"USD","active_pv":"0",
	   "ranks":[{"rank":1,"pv":"50"},{"rank":2,"pv":"50","gv":"100","max_leg_share":"0.6"}],
	   "rules":[{"type":"pv_bonus","name":"pv_bonus"}]},
	 "rules":[`, 1)
}

// LoadClosePlan loads a plan body that may name PVBonus ("pv_bonus").
func LoadClosePlan(body string) (*commission.Plan, error) {
	return commission.LoadPlan([]byte(body), commission.WithPeriodRuleType("pv_bonus",
		func(string, json.RawMessage) (commission.PeriodRule, error) { return PVBonus{}, nil }))
}

// NewCloseWorld is the world under ClosePlan(refunds), and its genealogy
// (to record a close's rank changes in).
func NewCloseWorld(t testing.TB, refunds string) (*World, *hierarchy.Genealogy) {
	t.Helper()
	g, err := testworld.Genealogy(testworld.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := testworld.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := LoadClosePlan(ClosePlan(refunds))
	if err != nil {
		t.Fatal(err)
	}
	e, err := commission.New(cat, g, plan)
	if err != nil {
		t.Fatal(err)
	}
	return &World{Engine: e}, g
}
