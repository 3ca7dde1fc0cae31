package commission_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
)

const orderE = `{"platform":"shopify","store":"acme.myshopify.com","platform_order_id":"1001",
 "order_ts":"2025-08-28T08:11:04Z","status":"paid","currency":"USD",%s
 "items":[{"line_id":"1","platform_sku":"VIT-C-90","qty":2,"unit_price":"19.50"},
          {"line_id":"2","platform_sku":"GIFT-25","qty":1,"unit_price":"25.00"}],"total":"64.00"}`

func withRefs(refs string) string { return strings.Replace(orderE, "%s", refs, 1) }

func planWith(extra, rules string) string {
	return `{"id":"acme","version":1,"effective_from":"2025-01-01T00:00:00Z"` + extra + `,"rules":[` + rules + `]}`
}

func TestRules(t *testing.T) {
	byE := withRefs(`"distributor_ref":"E",`)
	byR := withRefs(`"customer_ref":"R",`)
	tests := []struct {
		name, plan, order string
		want              []string
		breakage          []string
	}{
		{name: "unilevel compression skips the inactive member",
			plan:  planWith("", `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05","0.02"]},"compression":true}`),
			order: byE,
			want:  []string{"1 uni D L1 P1 40x0.1=4.00", "1 uni B L3 P2 40x0.05=2.00", "1 uni A L4 P3 40x0.02=0.80"}},
		{name: "unilevel without compression breaks the unqualified level",
			plan:     planWith("", `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05","0.02"]}}`),
			order:    byE,
			want:     []string{"1 uni D L1 P1 40x0.1=4.00", "1 uni B L3 P3 40x0.02=0.80"},
			breakage: []string{"1 uni C L2 2.00"}},
		{name: "unilevel rollup pays the unqualified level to the next qualified upline",
			plan:  planWith("", `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05","0.02"]},"unpaid":"rollup"}`),
			order: byE,
			want:  []string{"1 uni D L1 P1 40x0.1=4.00", "1 uni B L2 P3 40x0.05=2.00", "1 uni B L3 P3 40x0.02=0.80"}},
		{name: "unilevel depth by rank compresses past members too shallow for the level",
			plan: planWith("", `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05","0.02"]},
				"depth_by_rank":{"0":1,"1":1,"2":3},"compression":true}`),
			order: byE,
			want:  []string{"1 uni D L1 P1 40x0.1=4.00", "1 uni A L4 P2 40x0.05=2.00", "1 uni ROOT L5 P3 40x0.02=0.80"}},
		{name: "unilevel min rank; levels past the top are breakage",
			plan: planWith("", `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05","0.02"]},
				"qualify":{"statuses":["active"],"min_rank":2},"compression":true}`),
			order:    byE,
			want:     []string{"1 uni A L4 P1 40x0.1=4.00", "1 uni ROOT L5 P2 40x0.05=2.00"},
			breakage: []string{"1 uni  L3 0.80"}},
		{name: "unilevel qualify by status lets inactive members earn",
			plan: planWith("", `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05"]},
				"qualify":{"statuses":["active","inactive"]}}`),
			order: byE,
			want:  []string{"1 uni D L1 P1 40x0.1=4.00", "1 uni C L2 P2 40x0.05=2.00"}},
		{name: "unilevel rates per class, net basis",
			plan:  planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"consumable":["0.20"],"*":["0.10"]}}`),
			order: byE,
			want:  []string{"1 uni D L1 P1 39x0.2=7.80"}},
		{name: "unilevel rates by paid-as rank",
			plan: planWith("", `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.10","0.05","0.02"]},
				"rates_by_rank":{"2":{"*":["0.10","0.05","0.04"]}},"compression":true}`),
			order: byE,
			want:  []string{"1 uni D L1 P1 40x0.1=4.00", "1 uni B L3 P2 40x0.05=2.00", "1 uni A L4 P3 40x0.04=1.60"}},
		{name: "kit components earn by their own class",
			plan: planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"consumable":["0.10"],"starter_kit":["0.20"]}}`),
			order: `{"platform":"shopify","store":"acme.myshopify.com","platform_order_id":"1002","order_ts":"2025-08-28T08:11:04Z",
				"status":"paid","currency":"USD","distributor_ref":"E",
				"items":[{"line_id":"1","platform_sku":"KIT-STARTER-001","qty":1,"unit_price":"99.00"}],"total":"99.00"}`,
			want: []string{"1/VITC uni D L1 P1 59.4x0.1=5.94", "1/GUIDE uni D L1 P1 39.6x0.2=7.92"}},
		{name: "half up", plan: planWith(`,"currency_rounding":"half_up"`, `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.030125"]}}`),
			order: byE, want: []string{"1 uni D L1 P1 40x0.030125=1.21"}},
		{name: "half even", plan: planWith(`,"currency_rounding":"half_even"`, `{"type":"unilevel","name":"uni","basis":"cv","rates":{"*":["0.030125"]}}`),
			order: byE, want: []string{"1 uni D L1 P1 40x0.030125=1.20"}},
		{name: "rank differential pays the difference over the highest rate below",
			plan:  planWith("", `{"type":"rank_differential","name":"override","basis":"net","rates_by_rank":{"1":"0.01","2":"0.03","3":"0.04"}}`),
			order: byE,
			want:  []string{"1 override D L1 P1 39x0.01=0.39", "1 override A L4 P2 39x0.02=0.78", "1 override ROOT L5 P3 39x0.01=0.39"}},
		{name: "retail profit to the owner of a retail customer",
			plan:  planWith("", `{"type":"retail_profit","name":"retail","basis":"net","rates":{"*":"0.20"}}`),
			order: byR,
			want:  []string{"1 retail D L0 P0 39x0.2=7.80"}},
		{name: "no retail profit on a distributor's order",
			plan:  planWith("", `{"type":"retail_profit","name":"retail","basis":"net","rates":{"*":"0.20"}}`),
			order: byE},
		{name: "fast start within the days after enrollment",
			plan:     planWith("", `{"type":"fast_start","name":"fast_start","basis":"net","days":30,"rates":["0.25","0.05"]}`),
			order:    withRefs(`"distributor_ref":"DCODE",`),
			want:     []string{"1 fast_start B L2 P2 39x0.05=1.95"},
			breakage: []string{"1 fast_start C L1 9.75"}},
		{name: "no fast start after the days",
			plan:  planWith("", `{"type":"fast_start","name":"fast_start","basis":"net","days":18,"rates":["0.25","0.05"]}`),
			order: withRefs(`"distributor_ref":"DCODE",`)},
		{name: "cap scales every event down to the cap to the cent",
			plan:  planWith(`,"max_payout_share":"0.10"`, `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10","0.05","0.02"]},"compression":true}`),
			order: byE,
			want:  []string{"1 uni D L1 P1 39x0.1=2.29", "1 uni B L3 P2 39x0.05=1.15", "1 uni A L4 P3 39x0.02=0.46"}},
		{name: "events order by line, rule, level",
			plan: planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10"]},"qualify":{"statuses":["active","inactive"]}},
				{"type":"retail_profit","name":"retail","basis":"net","rates":{"*":"0.20"}}`),
			order: `{"platform":"shopify","store":"s","platform_order_id":"9","order_ts":"2025-08-28T08:11:04Z","status":"paid","currency":"USD",
				"customer_ref":"R","items":[{"line_id":"a","platform_sku":"VIT-C-90","qty":1,"unit_price":"10.00"},
				{"line_id":"b","platform_sku":"VIT-C-90","qty":1,"unit_price":"20.00"}],"total":"30.00"}`,
			want: []string{"a uni C L1 P1 10x0.1=1.00", "a retail D L0 P0 10x0.2=2.00", "b uni C L1 P1 20x0.1=2.00", "b retail D L0 P0 20x0.2=4.00"}},
	}
	g, cat := tree(t), catalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := commission.New(cat, g, mustPlan(t, tt.plan))
			if err != nil {
				t.Fatal(err)
			}
			o := mustOrder(t, tt.order)
			calc, err := e.Calculate(&o, commission.Lock{Known: known})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, eventLines(calc.Events)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			var br []string
			for _, b := range calc.Breakage {
				br = append(br, b.LineID+" "+b.Rule+" "+b.Member+" L"+itoa(b.Level)+" "+b.Amount().StringFixed(2))
			}
			if diff := cmp.Diff(tt.breakage, br); diff != "" {
				t.Errorf("breakage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttribution(t *testing.T) {
	g, cat := tree(t), catalog(t)
	e, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"retail_profit","name":"retail","basis":"net","rates":{"*":"0.20"}},
		{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10"]},"qualify":{"statuses":["active","inactive"]}}`)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, refs string
		want       []string
		err        error
	}{
		{"referral code", `"distributor_ref":"DCODE",`, []string{"1 uni C L1 P1 39x0.1=3.90"}, nil},
		{"member id", `"distributor_ref":"E",`, []string{"1 uni D L1 P1 39x0.1=3.90"}, nil},
		{"retail customer credits its owner, whatever the distributor_ref", `"distributor_ref":"E","customer_ref":"R",`,
			[]string{"1 retail D L0 P0 39x0.2=7.80", "1 uni C L1 P1 39x0.1=3.90"}, nil},
		{"a distributor buying is a personal purchase", `"distributor_ref":"DCODE","customer_ref":"E",`, []string{"1 uni D L1 P1 39x0.1=3.90"}, nil},
		{"unknown customer falls back to distributor_ref", `"distributor_ref":"E","customer_ref":"nobody",`, []string{"1 uni D L1 P1 39x0.1=3.90"}, nil},
		{"nobody", `"distributor_ref":"NOPE",`, nil, commission.ErrUnattributed},
		{"no refs", ``, nil, commission.ErrUnattributed},
		{"distributor_ref naming a retail customer", `"distributor_ref":"R",`, nil, commission.ErrUnattributed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := mustOrder(t, withRefs(tt.refs))
			calc, err := e.Calculate(&o, commission.Lock{Known: known})
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				var ce *commission.Error
				if !errors.As(err, &ce) || ce.Order.OrderID != "1001" {
					t.Errorf("error %v does not name the order", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, eventLines(calc.Events)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// An order credited to no one is held (ErrUnattributed) only when it would
// earn something: a pending, cancelled, voided or refunded one earns
// nothing whoever it is credited to, so it calculates to no events.
func TestUnattributedEarnsNothing(t *testing.T) {
	g, cat := tree(t), catalog(t)
	e, err := commission.New(cat, g, mustPlan(t, planWith("", `{"type":"unilevel","name":"uni","basis":"net","rates":{"*":["0.10"]}}`)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		status string
		held   bool
	}{
		{"paid", true}, {"partially_refunded", true},
		{"pending", false}, {"cancelled", false}, {"voided", false}, {"refunded", false},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			body := strings.Replace(withRefs(`"distributor_ref":"NOPE",`), `"status":"paid"`, `"status":"`+tt.status+`"`, 1)
			o := mustOrder(t, body)
			calc, err := e.Calculate(&o, commission.Lock{Known: known})
			if tt.held {
				if !errors.Is(err, commission.ErrUnattributed) {
					t.Fatalf("err = %v, want ErrUnattributed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want an empty calculation", err)
			}
			if len(calc.Events) != 0 || len(calc.Breakage) != 0 || calc.Capped {
				t.Errorf("calculation = %+v, want nothing", calc)
			}
			want := commission.Lock{Known: known, PlanID: "acme", PlanVersion: 1}
			if calc.Lock != want {
				t.Errorf("lock = %+v, want %+v", calc.Lock, want)
			}
			if s := calc.Snapshot; s == nil || s.Credited.Member != "" || s.PlanID != "acme" || !s.At.Equal(o.OrderTS) {
				t.Errorf("snapshot = %+v", s)
			}
		})
	}

	// A paid order credited to E, then cancelled by a revision that names
	// no one any more: the cancellation reverses everything it paid.
	paid := mustOrder(t, withRefs(`"distributor_ref":"E",`))
	calc, err := e.Calculate(&paid, commission.Lock{Known: known})
	if err != nil || len(calc.Events) == 0 {
		t.Fatalf("paid: %v, %d events", err, len(calc.Events))
	}
	body := strings.Replace(withRefs(``), `"status":"paid"`, `"status":"cancelled","version":"2025-08-29T00:00:00Z"`, 1)
	cancelled := mustOrder(t, body)
	again, err := e.Calculate(&cancelled, calc.Lock)
	if err != nil {
		t.Fatal(err)
	}
	corr := commission.Corrections(calc.Events, again.Events, cancelled.Version)
	if diff := cmp.Diff([]string{"1 uni D L1 P1 0x0.1=-3.90 correction"}, eventLines(corr)); diff != "" {
		t.Errorf("corrections (-want +got):\n%s", diff)
	}
}

// scripted is a custom rule that pays exactly the payouts it is given, in
// that order, to members named by id.
type scripted struct {
	name string
	pays []scriptedPay
}

type scriptedPay struct {
	line   int
	member string
	level  int
	rate   string
	basis  string // the line's net when empty
}

func (s scripted) Name() string { return s.name }

func (s scripted) Apply(c *commission.Context) error {
	for _, p := range s.pays {
		m, err := c.Snapshot().Lookup(p.member)
		if err != nil {
			return err
		}
		basis := c.Basis(p.line, commission.BasisNet)
		if p.basis != "" {
			basis = decimal.RequireFromString(p.basis)
		}
		err = c.Pay(commission.Payout{Line: p.line, Beneficiary: m, Level: p.level, PaidLevel: p.level,
			Basis: basis, Rate: decimal.RequireFromString(p.rate)})
		if err != nil {
			return err
		}
	}
	return nil
}

// A custom rule may pay in any order, and more than one member at a level:
// the events still come out by line, rule, level and beneficiary id, the
// same whatever the order of payment. Two payouts in one slot are refused.
func TestCustomRuleOrder(t *testing.T) {
	order := `{"platform":"shopify","store":"s","platform_order_id":"9","order_ts":"2025-08-28T08:11:04Z","status":"paid","currency":"USD",
		"distributor_ref":"E","items":[{"line_id":"a","platform_sku":"VIT-C-90","qty":1,"unit_price":"10.00"},
		{"line_id":"b","platform_sku":"VIT-C-90","qty":1,"unit_price":"20.00"}],"total":"30.00"}`
	pays := []scriptedPay{
		{1, "A", 4, "0.04", ""}, {0, "D", 1, "0.10", ""}, {1, "D", 1, "0.10", ""}, {0, "B", 3, "0.03", ""},
		{0, "ROOT", 3, "0.01", ""}, {1, "B", 2, "0.02", ""}, {0, "A", 3, "0.02", ""},
	}
	want := []string{
		"a late D L1 P1 10x0.1=1.00", "a late A L3 P3 10x0.02=0.20", "a late B L3 P3 10x0.03=0.30",
		"a late ROOT L3 P3 10x0.01=0.10", "a first D L1 P1 10x0.1=1.00",
		"b late D L1 P1 20x0.1=2.00", "b late B L2 P2 20x0.02=0.40", "b late A L4 P4 20x0.04=0.80",
		"b first D L1 P1 20x0.1=2.00",
	}
	g, cat := tree(t), catalog(t)
	calc := func(t *testing.T, rules ...commission.Rule) (*commission.Calculation, error) {
		t.Helper()
		plan := mustPlan(t, planWith("", ""))
		for _, r := range rules {
			if err := plan.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		e, err := commission.New(cat, g, plan)
		if err != nil {
			t.Fatal(err)
		}
		o := mustOrder(t, order)
		return e.Calculate(&o, commission.Lock{Known: known})
	}
	first := scripted{name: "first", pays: []scriptedPay{{1, "D", 1, "0.10", ""}, {0, "D", 1, "0.10", ""}}}
	var ids []string
	for _, ps := range [][]scriptedPay{pays, reversed(pays)} {
		got, err := calc(t, scripted{name: "late", pays: ps}, first)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, eventLines(got.Events)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		ids = append(ids, string(commission.MarshalEvents(got.Events)))
	}
	if ids[0] != ids[1] {
		t.Errorf("the order of payment changed the events:\n%s\n%s", ids[0], ids[1])
	}

	// Alone, a custom rule paying in order per line, its lines
	// interleaved, takes the counting sort and no comparison.
	got, err := calc(t, first)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a first D L1 P1 10x0.1=1.00", "b first D L1 P1 20x0.1=2.00"}, eventLines(got.Events)); diff != "" {
		t.Errorf("in order (-want +got):\n%s", diff)
	}

	_, err = calc(t, scripted{name: "twice", pays: []scriptedPay{{0, "D", 1, "0.10", ""}, {1, "D", 1, "0.10", ""}, {0, "D", 1, "0.05", ""}}})
	var ce *commission.Error
	if !errors.As(err, &ce) || !errors.Is(err, commission.ErrInvalid) || ce.LineID != "a" || ce.Rule != "twice" ||
		!strings.Contains(ce.Why, "two payouts in one slot (beneficiary D)") {
		t.Fatalf("paying one slot twice: %v", err)
	}
}

// Amounts that each fit but together do not are refused, not wrapped
// around, when the plan's cap must compare their total.
func TestTotalOverflow(t *testing.T) {
	plan := mustPlan(t, planWith(`,"max_payout_share":"0.50"`, ""))
	// 5×10^16 dollars: 5×10^18 cents, below 2^63; four of them pass 2^64,
	// which a 64-bit total would wrap around to 1.55×10^18.
	big := "50000000000000000"
	huge := scripted{name: "huge", pays: []scriptedPay{{0, "D", 1, "1", big}, {0, "C", 2, "1", big}, {0, "B", 3, "1", big}, {0, "A", 4, "1", big}}}
	if err := plan.Add(huge); err != nil {
		t.Fatal(err)
	}
	e, err := commission.New(catalog(t), tree(t), plan)
	if err != nil {
		t.Fatal(err)
	}
	o := mustOrder(t, withRefs(`"distributor_ref":"E",`))
	_, err = e.Calculate(&o, commission.Lock{Known: known})
	var ce *commission.Error
	if !errors.As(err, &ce) || !errors.Is(err, commission.ErrOverflow) || ce.Why != "total out of range" || ce.Order.OrderID != "1001" {
		t.Fatalf("got %v", err)
	}
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
