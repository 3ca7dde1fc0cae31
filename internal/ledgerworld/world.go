// Package ledgerworld is the small world the ledger's tests and its
// conformance suite post orders in: internal/testworld's Ledger genealogy
// and catalog, a two-rule plan, and an order's life from pending to two
// refunds with hand-checked amounts.
package ledgerworld

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/testworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// Instants the world is built around.
var (
	// Jan is when the genealogy, the catalog and the plan take effect.
	Jan = testworld.Jan
	// Placed is when World.Life's orders are placed.
	Placed = testworld.Placed
)

// World is a small, fixed setting to post orders in: a genealogy ROOT ← A
// ← B ← C, plus ZERO (under ROOT, never earns) and U (in the genealogy,
// with no sponsor chain beyond ROOT's) — testworld.Ledger; testworld's
// catalog (Shopify "VIT-C-90": consumable, CV 20; "PROT-1KG": consumable,
// CV 30; and others); and a plan "ledgertest" v1 with two rules:
// "unilevel" on net at 10%, 5%, 2% and "cv_bonus" on CV at 1% to the
// sponsor.
type World struct {
	Engine *commission.Engine
	// Members are every member of the genealogy, sorted.
	Members []string
}

// Plan is World's plan.
const Plan = `{"id":"ledgertest","version":1,"effective_from":"2025-01-01T00:00:00Z","rules":[
 {"type":"unilevel","name":"unilevel","basis":"net","rates":{"*":["0.10","0.05","0.02"]}},
 {"type":"unilevel","name":"cv_bonus","basis":"cv","rates":{"*":["0.01"]}}]}`

// NewWorld builds the World, failing t if it cannot.
func NewWorld(t testing.TB) *World {
	t.Helper()
	w, err := BuildWorld()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// BuildWorld builds the World; NewWorld is the form for tests.
func BuildWorld() (*World, error) {
	e, err := testworld.Engine(testworld.Ledger, Plan)
	if err != nil {
		return nil, err
	}
	return &World{Engine: e, Members: []string{"A", "B", "C", "ROOT", "U", "ZERO"}}, nil
}

// EngineOver returns an engine with World's catalog and plan over g.
func EngineOver(g *hierarchy.Genealogy) (*commission.Engine, error) {
	cat, err := testworld.Catalog()
	if err != nil {
		return nil, err
	}
	plan, err := commission.LoadPlan([]byte(Plan))
	if err != nil {
		return nil, err
	}
	return commission.New(cat, g, plan)
}

// Life returns the revisions of order id credited to ref, placed at
// placed, in version order, failing t if it cannot (see Revisions).
func (w *World) Life(t testing.TB, id, ref string, placed time.Time) []normalize.Order {
	t.Helper()
	revs, err := w.Revisions(id, ref, placed)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

// Revisions returns the revisions of order id credited to ref, placed at
// placed, in version order:
//
//	0 pending          version placed
//	1 paid             version placed + 1 min: line 1 is 3 × 19.99 VIT-C-90, line 2 is 2 × 45.50 PROT-1KG
//	2 partial refund   version placed + 5 days: one unit of line 1 (19.99)
//	3 partial refund   version placed + 10 days: all of line 2 (91.00)
//
// Credited to "C", the paid revision earns B 6.00 + 9.10 (unilevel) and
// 0.60 + 0.60 (cv_bonus), A 3.00 + 4.55, ROOT 1.20 + 1.82; after both
// refunds B 4.00 + 0.40, A 2.00, ROOT 0.80.
func (w *World) Revisions(id, ref string, placed time.Time) ([]normalize.Order, error) {
	body := func(status string, version time.Time) []byte {
		return fmt.Appendf(nil, `{"platform":"shopify","store":"ledgertest.myshopify.com","platform_order_id":%q,
		  "version":%q,"order_ts":%q,"status":%q,"currency":"USD","distributor_ref":%q,
		  "items":[{"line_id":"1","platform_sku":"VIT-C-90","qty":3,"unit_price":"19.99"},
		           {"line_id":"2","platform_sku":"PROT-1KG","qty":2,"unit_price":"45.50"}],"total":"150.97"}`,
			id, version.Format(time.RFC3339Nano), placed.Format(time.RFC3339Nano), status, ref)
	}
	pending, err := normalize.DecodeJSON(body("pending", placed))
	if err != nil {
		return nil, err
	}
	paid, err := normalize.DecodeJSON(body("paid", placed.Add(time.Minute)))
	if err != nil {
		return nil, err
	}
	r1, err := paid.ApplyRefund(normalize.Refund{RefundID: id + "-r1", TS: placed.Add(5 * 24 * time.Hour),
		Items: []normalize.RefundLine{{LineID: "1", Qty: 1, Net: decimal.RequireFromString("19.99")}}})
	if err != nil {
		return nil, err
	}
	r1.Status = normalize.StatusPartiallyRefunded
	r2, err := r1.ApplyRefund(normalize.Refund{RefundID: id + "-r2", TS: placed.Add(10 * 24 * time.Hour),
		Items: []normalize.RefundLine{{LineID: "2", Qty: 2, Net: decimal.RequireFromString("91.00")}}})
	if err != nil {
		return nil, err
	}
	r2.Status = normalize.StatusPartiallyRefunded
	return []normalize.Order{pending, paid, r1, r2}, nil
}

// Balances renders a ledger's balances at at as "member currency amount"
// lines, amounts to the cent.
func Balances(t testing.TB, l *ledger.Ledger, at time.Time) []string {
	t.Helper()
	bs, err := l.Balances(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, b := range bs {
		out = append(out, b.Member+" "+b.Currency+" "+b.Amount.StringFixed(2))
	}
	return out
}

// Amounts renders the events a post appended as "member amount" lines,
// amounts to the cent, in the order appended.
func Amounts(r ledger.Result) []string {
	out := []string{}
	for _, e := range r.Entries {
		if e.Event != nil {
			out = append(out, e.Member+" "+e.Amount.StringFixed(2))
		}
	}
	return out
}

// Opts compares entries as a store must give them back: decimals and
// instants by value, events and awards by their JSON form.
var Opts = cmp.Options{
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Transformer("EventJSON", func(e *commission.Event) string {
		if e == nil {
			return "<nil>"
		}
		return string(e.AppendJSON(nil))
	}),
	cmp.Transformer("AwardJSON", func(a *commission.Award) string {
		if a == nil {
			return "<nil>"
		}
		return string(a.AppendJSON(nil))
	}),
}

// LargeOrder returns a new paid order of n lines credited to C in
// ledgertest's World, alternately one VIT-C-90 at 20.00 and one PROT-1KG
// at 50.00 (amounts every rate of the plan divides exactly), with shipping
// and 8% tax, whose total reconciles.
func LargeOrder(id string, n int) normalize.Order {
	o := normalize.Order{Platform: normalize.Shopify, Store: "ledgertest.myshopify.com", PlatformOrderID: id,
		Version: Placed, OrderTS: Placed, Status: normalize.StatusPaid, Currency: "USD",
		DistributorRef: "C", Shipping: decimal.RequireFromString("9.95"), Items: make([]normalize.Line, n)}
	net := decimal.Zero
	for i := range o.Items {
		sku, price := "VIT-C-90", decimal.New(2000, -2)
		if i%2 == 1 {
			sku, price = "PROT-1KG", decimal.New(5000, -2)
		}
		o.Items[i] = normalize.Line{LineID: strconv.Itoa(i + 1), PlatformSKU: sku, Qty: 1, UnitPrice: price, Gross: price, Net: price}
		net = net.Add(price)
	}
	o.Tax = net.Mul(decimal.RequireFromString("0.08")).Round(2)
	o.Total = net.Add(o.Shipping).Add(o.Tax)
	return o
}
