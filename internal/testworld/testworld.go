// Package testworld builds the small genealogy, catalog and engine that
// the commission and ledger tests calculate in, so that each test states
// only what differs: its members, its plan, its orders.
//
//	g, err := testworld.Genealogy(testworld.Tree)
//	cat, err := testworld.Catalog()
//	e, err := testworld.Engine(testworld.Tree, plan)
package testworld

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Instants the world is built around.
var (
	// Jan is when members enroll (unless they say otherwise), when
	// everything is recorded, and when the catalog takes effect.
	Jan = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// Placed is when the tests' orders are placed.
	Placed = time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC)
	// Known is the knowledge instant the tests calculate with.
	Known = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
)

// Member is one member of a test genealogy. Zero fields mean: a
// distributor, active, rank 0, enrolled at Jan, no code.
type Member struct {
	ID, Sponsor string
	Kind        hierarchy.Kind
	Status      hierarchy.Status
	// PaidAs is both the paid-as and the highest rank.
	PaidAs hierarchy.Rank
	At     time.Time
	Code   string
}

// Tree is the commission tests' genealogy: ROOT(3) ← A(2) ← B(1) ← C(0,
// inactive) ← D(1, enrolled 2025-08-10, code DCODE) ← R (a retail
// customer of D); and E, a distributor under D.
var Tree = []Member{
	{ID: "ROOT", PaidAs: 3},
	{ID: "A", Sponsor: "ROOT", PaidAs: 2},
	{ID: "B", Sponsor: "A", PaidAs: 1},
	{ID: "C", Sponsor: "B", Status: hierarchy.Inactive},
	{ID: "D", Sponsor: "C", PaidAs: 1, At: time.Date(2025, 8, 10, 0, 0, 0, 0, time.UTC), Code: "DCODE"},
	{ID: "R", Sponsor: "D", Kind: hierarchy.Retail, At: time.Date(2025, 8, 11, 0, 0, 0, 0, time.UTC)},
	{ID: "E", Sponsor: "D", PaidAs: 1, At: time.Date(2025, 8, 11, 0, 0, 0, 0, time.UTC)},
}

// Ledger is the ledger tests' genealogy (ledger/ledgertest's World):
// ROOT ← A ← B ← C, plus ZERO and U under ROOT, all active with rank 1.
var Ledger = []Member{
	{ID: "ROOT", PaidAs: 1},
	{ID: "A", Sponsor: "ROOT", PaidAs: 1},
	{ID: "B", Sponsor: "A", PaidAs: 1},
	{ID: "C", Sponsor: "B", PaidAs: 1},
	{ID: "ZERO", Sponsor: "ROOT", PaidAs: 1},
	{ID: "U", Sponsor: "ROOT", PaidAs: 1},
}

// Genealogy enrolls members in order, each recorded at Jan.
func Genealogy(members []Member) (*hierarchy.Genealogy, error) {
	var g hierarchy.Genealogy
	for _, m := range members {
		at := m.At
		if at.IsZero() {
			at = Jan
		}
		kind := m.Kind
		if kind == 0 {
			kind = hierarchy.Distributor
		}
		st := m.Status
		if st == 0 {
			st = hierarchy.Active
		}
		if err := g.Apply(hierarchy.Change{Op: hierarchy.OpEnroll, Member: m.ID, Kind: kind, Sponsor: m.Sponsor,
			Status: st, PaidAs: m.PaidAs, Highest: m.PaidAs, Effective: at, Recorded: Jan}); err != nil {
			return nil, err
		}
		if m.Code != "" {
			if err := g.AddCode(m.ID, m.Code, at, Jan); err != nil {
				return nil, err
			}
		}
	}
	return &g, nil
}

// Catalog is the tests' catalog, from Jan, every key a Shopify SKU for
// any store:
//
//	VIT-C-90         VITC     consumable   PV 25 QV 25 CV 20
//	PROT-1KG         PROT     consumable   PV 35 QV 35 CV 30
//	KIT-STARTER-001  STARTER  starter_kit  PV 100 QV 100 CV 80, a kit of
//	                 2 VITC (share 0.6) and 1 GUIDE (starter_kit, no volume; 0.4)
//	GIFT-25          GIFT     gift_card    non-commissionable
func Catalog() (*sku.Catalog, error) {
	d := decimal.RequireFromString
	key := func(v string) sku.Key { return sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: v} }
	return sku.New(sku.Data{
		SKUs: []sku.Version{
			{ID: "VITC", EffectiveFrom: Jan, Class: "consumable", PV: d("25"), QV: d("25"), CV: d("20")},
			{ID: "PROT", EffectiveFrom: Jan, Class: "consumable", PV: d("35"), QV: d("35"), CV: d("30")},
			{ID: "GUIDE", EffectiveFrom: Jan, Class: "starter_kit", PV: d("0"), QV: d("0"), CV: d("0")},
			{ID: "STARTER", EffectiveFrom: Jan, Class: "starter_kit", PV: d("100"), QV: d("100"), CV: d("80"),
				Components: []sku.Component{{SKU: "VITC", Qty: 2, Share: d("0.6")}, {SKU: "GUIDE", Qty: 1, Share: d("0.4")}}},
			{ID: "GIFT", EffectiveFrom: Jan, Class: "gift_card", NonCommissionable: true, PV: d("0"), QV: d("0"), CV: d("0")},
		},
		Keys: []sku.Binding{
			{Key: key("VIT-C-90"), SKU: "VITC"},
			{Key: key("PROT-1KG"), SKU: "PROT"},
			{Key: key("KIT-STARTER-001"), SKU: "STARTER"},
			{Key: key("GIFT-25"), SKU: "GIFT"},
		},
	})
}

// Engine builds an engine for the plan (its JSON) over the members'
// genealogy and Catalog.
func Engine(members []Member, plan string, opts ...commission.LoadOption) (*commission.Engine, error) {
	g, err := Genealogy(members)
	if err != nil {
		return nil, err
	}
	cat, err := Catalog()
	if err != nil {
		return nil, err
	}
	p, err := commission.LoadPlan([]byte(plan), opts...)
	if err != nil {
		return nil, err
	}
	return commission.New(cat, g, p)
}
