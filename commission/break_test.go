package commission_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
)

// breakingUnilevel is a custom rule that does what the built-in unilevel
// without compression does: each level pays its rate on a line's net to
// the active member there, and is breakage where the member is not active
// or the chain has ended.
type breakingUnilevel struct{ rates []decimal.Decimal }

func (breakingUnilevel) Name() string { return "uni" }

func (u breakingUnilevel) Apply(c *commission.Context) error {
	for i := range c.Lines() {
		basis := c.Basis(i, commission.BasisNet)
		for lv, rate := range u.rates {
			p := commission.Payout{Line: i, Beneficiary: hierarchy.None, Level: lv + 1, PaidLevel: lv + 1, Basis: basis, Rate: rate}
			a, ok := c.Ancestor(lv + 1)
			if ok {
				p.Beneficiary = a.Member
			}
			var err error
			if ok && a.Status == hierarchy.Active {
				err = c.Pay(p)
			} else {
				err = c.Break(p)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// TestCustomRuleBreakage: a custom rule reports breakage through
// Context.Break exactly as the built-in unilevel does: the same events and
// the same breakage, member, level and amount, past the top of the chain
// too.
func TestCustomRuleBreakage(t *testing.T) {
	rates := []string{"0.10", "0.05", "0.02", "0.02", "0.01", "0.01", "0.005"}
	g, cat := tree(t), catalog(t)
	ratesJSON, _ := json.Marshal(rates)
	builtin, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":`+string(ratesJSON)+`}}`)))
	if err != nil {
		t.Fatal(err)
	}
	var custom breakingUnilevel
	for _, r := range rates {
		custom.rates = append(custom.rates, decimal.RequireFromString(r))
	}
	factory := func(string, json.RawMessage) (commission.Rule, error) { return custom, nil }
	own, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"breaking","name":"uni"}`), commission.WithRuleType("breaking", factory)))
	if err != nil {
		t.Fatal(err)
	}
	o := mustOrder(t, withRefs(`"distributor_ref":"E",`))
	want, err := builtin.Calculate(&o, commission.Lock{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	got, err := own.Calculate(&o, commission.Lock{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Breakage) < 2 {
		t.Fatalf("the built-in rule breaks %d levels; the test needs an unqualified member and the top of the chain", len(want.Breakage))
	}
	if diff := cmp.Diff(eventLines(want.Events), eventLines(got.Events)); diff != "" {
		t.Errorf("events (-built-in +custom):\n%s", diff)
	}
	if diff := cmp.Diff(breakLines(want.Breakage), breakLines(got.Breakage)); diff != "" {
		t.Errorf("breakage (-built-in +custom):\n%s", diff)
	}

	// Break checks what it is given as Pay does, but takes None.
	for name, p := range map[string]commission.Payout{
		"line out of range":      {Line: 2, Beneficiary: hierarchy.None, Level: 1, Basis: decimal.NewFromInt(1), Rate: decimal.NewFromInt(1)},
		"negative basis":         {Line: 0, Beneficiary: hierarchy.None, Level: 1, Basis: decimal.NewFromInt(-1), Rate: decimal.NewFromInt(1)},
		"rate with 10 places":    {Line: 0, Beneficiary: hierarchy.None, Level: 1, Basis: decimal.NewFromInt(1), Rate: decimal.RequireFromString("0.0000000001")},
		"member not in the tree": {Line: 0, Beneficiary: 999, Level: 1, Basis: decimal.NewFromInt(1), Rate: decimal.NewFromInt(1)},
	} {
		bad := ruleFunc(func(c *commission.Context) error { return c.Break(p) })
		e, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"bad","name":"bad"}`),
			commission.WithRuleType("bad", func(string, json.RawMessage) (commission.Rule, error) { return bad, nil })))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Calculate(&o, commission.Lock{Known: known}); err == nil {
			t.Errorf("%s: Break accepted it", name)
		}
	}
}

type ruleFunc func(c *commission.Context) error

func (ruleFunc) Name() string                        { return "bad" }
func (f ruleFunc) Apply(c *commission.Context) error { return f(c) }

func breakLines(bs []commission.Breakage) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.LineID+"/"+b.Component+" "+b.Rule+" "+b.Member+" L"+itoa(b.Level)+" "+b.Amount().String())
	}
	return out
}
