package ledgertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Instants the world is built around.
var (
	// Jan is when the genealogy, the catalog and the plan take effect.
	Jan = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// Placed is when World.Life's orders are placed.
	Placed = time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC)
)

// World is a small, fixed setting to post orders in: a genealogy ROOT ← A
// ← B ← C, plus ZERO (under ROOT, never earns) and U (in the genealogy,
// with no sponsor chain beyond ROOT's); a catalog with two SKUs (Shopify
// "VIT-C-90": consumable, CV 20; "PROT-1KG": consumable, CV 30); and a plan
// "ledgertest" v1 with two rules: "unilevel" on net at 10%, 5%, 2% and
// "cv_bonus" on CV at 1% to the sponsor.
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
	var g hierarchy.Genealogy
	for _, m := range [][2]string{{"ROOT", ""}, {"A", "ROOT"}, {"B", "A"}, {"C", "B"}, {"ZERO", "ROOT"}, {"U", "ROOT"}} {
		err := g.Apply(hierarchy.Change{Op: hierarchy.OpEnroll, Member: m[0], Kind: hierarchy.Distributor, Sponsor: m[1],
			Status: hierarchy.Active, PaidAs: 1, Highest: 1, Effective: Jan, Recorded: Jan})
		if err != nil {
			return nil, err
		}
	}
	e, err := engineOver(&g)
	if err != nil {
		return nil, err
	}
	return &World{Engine: e, Members: []string{"A", "B", "C", "ROOT", "U", "ZERO"}}, nil
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

// engineOver returns an engine with World's catalog and plan over g.
func engineOver(g *hierarchy.Genealogy) (*commission.Engine, error) {
	d := decimal.RequireFromString
	cat, err := sku.New(sku.Data{
		SKUs: []sku.Version{
			{ID: "VITC", EffectiveFrom: Jan, Class: "consumable", PV: d("25"), QV: d("25"), CV: d("20")},
			{ID: "PROT", EffectiveFrom: Jan, Class: "consumable", PV: d("35"), QV: d("35"), CV: d("30")},
		},
		Keys: []sku.Binding{
			{Key: sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "VIT-C-90"}, SKU: "VITC"},
			{Key: sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "PROT-1KG"}, SKU: "PROT"},
		},
	})
	if err != nil {
		return nil, err
	}
	plan, err := commission.LoadPlan([]byte(Plan))
	if err != nil {
		return nil, err
	}
	return commission.New(cat, g, plan)
}
