package commission_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

func exampleTree() *hierarchy.Genealogy {
	var g hierarchy.Genealogy
	jan := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []hierarchy.Change{
		{Op: hierarchy.OpEnroll, Member: "ROOT", Kind: hierarchy.Distributor, PaidAs: 2, Highest: 2},
		{Op: hierarchy.OpEnroll, Member: "A", Kind: hierarchy.Distributor, Sponsor: "ROOT", PaidAs: 1, Highest: 1},
		{Op: hierarchy.OpEnroll, Member: "B", Kind: hierarchy.Distributor, Sponsor: "A", PaidAs: 1, Highest: 1},
	} {
		c.Effective, c.Recorded = jan, jan
		if err := g.Apply(c); err != nil {
			panic(err)
		}
	}
	_ = g.AddCode("B", "BEA", jan, jan)
	return &g
}

// Calculate an order, then refund part of it and post only the clawback.
func Example() {
	catalog, _ := sku.LoadJSON([]byte(`{"skus":[{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"consumable","pv":"25","qv":"25","cv":"20"}],
	  "keys":[{"platform":"shopify","kind":"sku","key":"VIT-C-90","sku_id":"VITC"}]}`))
	plan, err := commission.LoadPlan([]byte(`{"id":"acme","version":1,"effective_from":"2025-01-01T00:00:00Z",
	  "rules":[{"type":"unilevel","name":"unilevel","basis":"net","rates":{"*":["0.10","0.05"]},"compression":true}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	engine, err := commission.New(catalog, exampleTree(), plan)
	if err != nil {
		fmt.Println(err)
		return
	}
	order, _ := normalize.DecodeJSON([]byte(`{"platform":"shopify","store":"acme.myshopify.com","platform_order_id":"1001",
	  "order_ts":"2025-08-28T08:11:04Z","status":"paid","currency":"USD","distributor_ref":"BEA",
	  "items":[{"line_id":"1","platform_sku":"VIT-C-90","qty":3,"unit_price":"19.99"}],"total":"59.97"}`))
	known := time.Date(2025, 8, 28, 9, 0, 0, 0, time.UTC) // the genealogy as recorded by then
	calc, err := engine.Calculate(&order, commission.Lock{Known: known})
	if err != nil {
		fmt.Println(err)
		return
	}
	posted := calc.Events
	for _, e := range posted {
		fmt.Println(e.Kind, e.Beneficiary, e.Level, e.Basis(), "×", e.Rate(), "=", e.Amount().StringFixed(2))
	}

	refund := normalize.Refund{RefundID: "r1", TS: time.Date(2025, 9, 2, 10, 0, 0, 0, time.UTC),
		Items: []normalize.RefundLine{{LineID: "1", Qty: 1, Net: order.Items[0].UnitPrice}}}
	revised, err := order.ApplyRefund(refund)
	if err != nil {
		fmt.Println(err)
		return
	}
	revised.Status = normalize.StatusPartiallyRefunded
	again, err := engine.Calculate(&revised, calc.Lock) // locked: same knowledge, same plan version
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range commission.Corrections(posted, again.Events, revised.Version) {
		fmt.Println(e.Kind, e.Beneficiary, e.Level, e.Amount().StringFixed(2), "corrects", e.Corrects == posted[0].ID || e.Corrects == posted[1].ID)
	}
	// Output:
	// commission A 1 59.97 × 0.1 = 6.00
	// commission ROOT 2 59.97 × 0.05 = 3.00
	// correction A 1 -2.00 corrects true
	// correction ROOT 2 -1.00 corrects true
}

// loyaltyBonus is a custom rule: the credited distributor's sponsor earns a
// flat share of every line's net when the order is large.
type loyaltyBonus struct {
	name string
	min  decimal.Decimal
	rate decimal.Decimal
}

func (l loyaltyBonus) Name() string { return l.name }

func (l loyaltyBonus) Apply(c *commission.Context) error {
	total := decimal.Zero
	for i := range c.Lines() {
		total = total.Add(c.Basis(i, commission.BasisNet))
	}
	sponsor, ok := c.Ancestor(1)
	if !ok || total.LessThan(l.min) {
		return nil
	}
	for i := range c.Lines() {
		err := c.Pay(commission.Payout{Line: i, Beneficiary: sponsor.Member, Level: 1, PaidLevel: 1,
			Basis: c.Basis(i, commission.BasisNet), Rate: l.rate})
		if err != nil {
			return err
		}
	}
	return nil
}

// A custom rule type takes part exactly like the built-in ones: same
// rounding, cap, slots, ids and calc_snapshot.
func Example_customRule() {
	catalog, _ := sku.LoadJSON([]byte(`{"skus":[{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"consumable","pv":"25","qv":"25","cv":"20"}],
	  "keys":[{"platform":"shopify","kind":"sku","key":"VIT-C-90","sku_id":"VITC"}]}`))
	factory := func(name string, body json.RawMessage) (commission.Rule, error) {
		var cfg struct {
			Type, Name string
			Min        string `json:"min_order"`
			Rate       string `json:"rate"`
		}
		if err := json.Unmarshal(body, &cfg); err != nil {
			return nil, err
		}
		min, err := decimal.NewFromString(cfg.Min)
		if err != nil {
			return nil, fmt.Errorf("min_order: %w", err)
		}
		rate, err := decimal.NewFromString(cfg.Rate)
		if err != nil {
			return nil, fmt.Errorf("rate: %w", err)
		}
		return loyaltyBonus{name: name, min: min, rate: rate}, nil
	}
	plan, err := commission.LoadPlan([]byte(`{"id":"acme","version":1,"effective_from":"2025-01-01T00:00:00Z","rules":[
	  {"type":"loyalty","name":"loyalty","min_order":"50","rate":"0.0125"}]}`), commission.WithRuleType("loyalty", factory))
	if err != nil {
		fmt.Println(err)
		return
	}
	engine, _ := commission.New(catalog, exampleTree(), plan)
	order, _ := normalize.DecodeJSON([]byte(`{"platform":"shopify","store":"acme.myshopify.com","platform_order_id":"1001",
	  "order_ts":"2025-08-28T08:11:04Z","status":"paid","currency":"USD","distributor_ref":"BEA",
	  "items":[{"line_id":"1","platform_sku":"VIT-C-90","qty":3,"unit_price":"19.99"}],"total":"59.97"}`))
	calc, err := engine.Calculate(&order, commission.Lock{Known: time.Date(2025, 8, 28, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range calc.Events {
		fmt.Println(e.ID, e.Rule, e.Beneficiary, e.Basis(), "×", e.Rate(), "=", e.Amount().StringFixed(2))
	}
	// Output:
	// 01K3QVNXE0N161HGQVS482HPDZ loyalty A 59.97 × 0.0125 = 0.75
}

// A batch: CalculateEach calculates the orders one after another into one
// reused Calculation, reading the genealogy ahead for the next ones, and
// hands each result to fn, which must use it (post it, encode it) before
// it returns. An order that cannot be calculated comes with its error:
// hold it, and go on.
func ExampleEngine_CalculateEach() {
	catalog, _ := sku.LoadJSON([]byte(`{"skus":[{"sku_id":"VITC","effective_from":"2025-01-01T00:00:00Z","class":"consumable","pv":"25","qv":"25","cv":"20"}],
	  "keys":[{"platform":"shopify","kind":"sku","key":"VIT-C-90","sku_id":"VITC"}]}`))
	plan, _ := commission.LoadPlan([]byte(`{"id":"acme","version":1,"effective_from":"2025-01-01T00:00:00Z",
	  "rules":[{"type":"unilevel","name":"unilevel","basis":"net","rates":{"*":["0.10","0.05"]},"compression":true}]}`))
	engine, _ := commission.New(catalog, exampleTree(), plan)
	var orders []normalize.Order
	for i, ref := range []string{`"customer_ref":"B"`, `"customer_ref":"NOBODY"`, `"distributor_ref":"BEA"`} {
		o, err := normalize.DecodeJSON([]byte(fmt.Sprintf(`{"platform":"shopify","store":"acme.myshopify.com","platform_order_id":"%d",
		  "order_ts":"2025-08-28T08:11:04Z","status":"paid","currency":"USD",%s,
		  "items":[{"line_id":"1","platform_sku":"VIT-C-90","qty":%d,"unit_price":"10.00"}],"total":"%d.00"}`, 2001+i, ref, i+1, 10*(i+1))))
		if err != nil {
			fmt.Println(err)
			return
		}
		orders = append(orders, o)
	}
	known := time.Date(2025, 8, 28, 9, 0, 0, 0, time.UTC)
	err := engine.CalculateEach(orders, commission.Lock{Known: known}, func(i int, calc *commission.Calculation, err error) error {
		if err != nil {
			fmt.Println(orders[i].PlatformOrderID, "held:", errors.Is(err, commission.ErrUnattributed))
			return nil
		}
		total := decimal.Zero
		for _, e := range calc.Events {
			total = total.Add(e.Amount())
		}
		fmt.Println(orders[i].PlatformOrderID, len(calc.Events), "events", total.StringFixed(2))
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 2001 2 events 1.50
	// 2002 held: true
	// 2003 2 events 4.50
}

// Lint shows a plan's worst case on one order beside its cap: here the
// cap, not the rates, decides what such an order pays.
func ExampleLint() {
	plan, err := commission.LoadPlan([]byte(`{"id":"acme","version":2,"effective_from":"2025-01-01T00:00:00Z",
	 "max_payout_share":"0.30","rules":[
	 {"type":"unilevel","name":"unilevel","basis":"net","rates":{"*":["0.10","0.05","0.05"]}},
	 {"type":"fast_start","name":"fast_start","basis":"net","days":30,"rates":["0.20"]}]}`))
	if err != nil {
		panic(err)
	}
	fmt.Print(commission.Lint(plan))
	// Output:
	// plan acme version 2: the most one order can pay, on lines of any class
	//   unilevel (unilevel, on net): 0.1 (L1) + 0.05 (L2) + 0.05 (L3) = 0.2
	//   fast_start (fast_start, on net): 0.2 (L1)
	//   worst case: 0.4 × net
	//   cap: 0.3 × net (max_payout_share)
	//   the cap decides: at worst the rules pay 0.4 × net, more than the cap 0.3; every event of such an order is scaled down
}
