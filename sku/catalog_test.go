package sku_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

func TestFormatsAgree(t *testing.T) {
	want := fixtureCatalog(t).Data()
	fromJSON, err := sku.LoadJSON(readFile(t, "testdata/catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	fromCSV, err := sku.LoadCSV(readFile(t, "testdata/skus.csv"), readFile(t, "testdata/keys.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*sku.Catalog{"json": fromJSON, "csv": fromCSV} {
		if diff := cmp.Diff(want, c.Data(), dataOpts); diff != "" {
			t.Errorf("%s: catalog differs from the one built in code (-want +got):\n%s", name, diff)
		}
	}
	if n, k := fromJSON.Len(); n != 5 || k != 8 {
		t.Errorf("Len() = %d SKUs, %d keys, want 5, 8", n, k)
	}
}

func TestSave(t *testing.T) {
	c := fixtureCatalog(t)
	js := c.SaveJSON()
	skus, keys := c.SaveCSV()
	golden.Check(t, "testdata/golden/catalog.json", js)
	golden.Check(t, "testdata/golden/skus.csv", skus)
	golden.Check(t, "testdata/golden/keys.csv", keys)

	fromJSON, err := sku.LoadJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	fromCSV, err := sku.LoadCSV(skus, keys)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]*sku.Catalog{"json": fromJSON, "csv": fromCSV} {
		if diff := cmp.Diff(c.Data(), got.Data(), dataOpts); diff != "" {
			t.Errorf("%s: reloaded catalog differs (-want +got):\n%s", name, diff)
		}
		if string(got.SaveJSON()) != string(js) {
			t.Errorf("%s: saving the reloaded catalog gives other JSON bytes", name)
		}
	}
}

func TestLookup(t *testing.T) {
	c := fixtureCatalog(t)
	type want struct {
		id    string
		from  string
		pv    string
		class string
		err   error
	}
	for _, tc := range []struct {
		name string
		key  sku.Key
		at   string
		want want
	}{
		{"first version", shopifyKey(sku.KindSKU, "VIT-C-90"), "2025-05-31T23:59:59Z", want{id: "VITC", from: "2025-01-01T00:00:00Z", pv: "25", class: "consumable"}},
		{"second version at its instant", shopifyKey(sku.KindSKU, "VIT-C-90"), "2025-06-01T00:00:00Z", want{id: "VITC", from: "2025-06-01T00:00:00Z", pv: "30", class: "consumable"}},
		{"latest version far ahead", shopifyKey(sku.KindSKU, "VIT-C-90"), "2300-01-01T00:00:00Z", want{id: "VITC", from: "2025-06-01T00:00:00Z", pv: "30", class: "consumable"}},
		{"before any version", shopifyKey(sku.KindSKU, "VIT-C-90"), "2024-12-31T23:59:59Z", want{err: sku.ErrNotInForce}},
		{"long before 1970", shopifyKey(sku.KindSKU, "VIT-C-90"), "1000-01-01T00:00:00Z", want{err: sku.ErrNotInForce}},
		{"variant id above 2^53", shopifyKey(sku.KindVariant, "44012345678901234567"), "2025-02-01T00:00:00Z", want{id: "VITC", from: "2025-01-01T00:00:00Z", pv: "25", class: "consumable"}},
		{"variant id one off", shopifyKey(sku.KindVariant, "44012345678901234568"), "2025-02-01T00:00:00Z", want{err: sku.ErrUnknownSKU}},
		{"kind matters", shopifyKey(sku.KindVariant, "VIT-C-90"), "2025-02-01T00:00:00Z", want{err: sku.ErrUnknownSKU}},
		{"any-store fallback", shopifyKey(sku.KindSKU, "GIFT-25"), "2025-02-01T00:00:00Z", want{id: "GIFT", from: "2025-01-01T00:00:00Z", pv: "0", class: "non_commissionable"}},
		{"any-store key asked directly", sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "GIFT-25"}, "2025-02-01T00:00:00Z", want{id: "GIFT", from: "2025-01-01T00:00:00Z", pv: "0", class: "non_commissionable"}},
		{"store keys do not serve any store", sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "VIT-C-90"}, "2025-02-01T00:00:00Z", want{err: sku.ErrUnknownSKU}},
		{"other platform", sku.Key{Platform: normalize.Magento, Store: acme, Kind: sku.KindSKU, Value: "VIT-C-90"}, "2025-02-01T00:00:00Z", want{err: sku.ErrUnknownSKU}},
		{"binding before its instant", shopifyKey(sku.KindSKU, "SERUM-50"), "2025-01-31T23:59:59Z", want{err: sku.ErrNotInForce}},
		{"binding in force, SKU not yet", shopifyKey(sku.KindSKU, "SERUM-50"), "2025-02-15T00:00:00Z", want{err: sku.ErrNotInForce}},
		{"binding and SKU in force", shopifyKey(sku.KindSKU, "SERUM-50"), "2025-03-01T00:00:00Z", want{id: "SERUM", from: "2025-03-01T00:00:00Z", pv: "40", class: "consumable"}},
		{"re-bound key, before", shopifyKey(sku.KindSKU, "OLD-VITC"), "2025-08-31T23:59:59Z", want{id: "VITC", from: "2025-06-01T00:00:00Z", pv: "30", class: "consumable"}},
		{"re-bound key, after", shopifyKey(sku.KindSKU, "OLD-VITC"), "2025-09-01T00:00:00Z", want{id: "SERUM", from: "2025-03-01T00:00:00Z", pv: "40", class: "consumable"}},
		{"zone of the instant does not matter", shopifyKey(sku.KindSKU, "VIT-C-90"), "2025-06-01T01:00:00+02:00", want{id: "VITC", from: "2025-01-01T00:00:00Z", pv: "25", class: "consumable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.Lookup(tc.key, at)
			if tc.want.err != nil {
				if !errors.Is(err, tc.want.err) {
					t.Fatalf("Lookup(%s, %s) error = %v, want %v", tc.key, tc.at, err, tc.want.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Lookup(%s, %s): %v", tc.key, tc.at, err)
			}
			got := want{id: v.ID, from: v.EffectiveFrom.Format(time.RFC3339), pv: v.PV.String(), class: v.Class}
			if got != tc.want {
				t.Errorf("Lookup(%s, %s) = %+v, want %+v", tc.key, tc.at, got, tc.want)
			}
		})
	}
}

func TestSKU(t *testing.T) {
	c := fixtureCatalog(t)
	v, err := c.SKU("STARTER", ts("2025-07-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "STARTER" || !v.IsKit() || len(v.Components) != 2 || v.Components[1].SKU != "GUIDE" || !v.Components[1].Share.Equal(dec("0.4")) {
		t.Errorf("SKU(STARTER) = %+v", v)
	}
	if _, err := c.SKU("NOPE", ts("2025-07-01T00:00:00Z")); !errors.Is(err, sku.ErrUnknownSKU) {
		t.Errorf("SKU(NOPE) error = %v, want ErrUnknownSKU", err)
	}
	if _, err := c.SKU("SERUM", ts("2025-02-28T00:00:00Z")); !errors.Is(err, sku.ErrNotInForce) {
		t.Errorf("SKU(SERUM) before its version error = %v, want ErrNotInForce", err)
	}
	var zero sku.Catalog
	if _, err := zero.Lookup(shopifyKey(sku.KindSKU, "VIT-C-90"), ts("2025-07-01T00:00:00Z")); !errors.Is(err, sku.ErrUnknownSKU) {
		t.Errorf("zero Catalog Lookup error = %v, want ErrUnknownSKU", err)
	}
}

// TestNewRejects covers every load rule: each case breaks the fixture in
// one way and names the record, the kind of error and its message.
func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(d *sku.Data)
		kind   error
		msg    string
	}{
		{"duplicate SKU version", func(d *sku.Data) { d.SKUs = append(d.SKUs, d.SKUs[2]) }, sku.ErrDuplicate,
			`sku: load skus[6].effective_from: sku: duplicate catalog record: SKU "VITC" already has a version effective 2025-01-01T00:00:00Z (skus[2])`},
		{"duplicate binding", func(d *sku.Data) { d.Keys = append(d.Keys, d.Keys[3]) }, sku.ErrDuplicate,
			`sku: load keys[9].effective_from: sku: duplicate catalog record: key shopify/acme.myshopify.com/sku:OLD-VITC already has a binding effective always (keys[3])`},
		{"negative pv", func(d *sku.Data) { d.SKUs[0].PV = dec("-1") }, sku.ErrInvalid,
			`sku: load skus[0].pv: sku: invalid catalog value: pv -1 is negative`},
		{"negative qv", func(d *sku.Data) { d.SKUs[1].QV = dec("-0.01") }, sku.ErrInvalid,
			`sku: load skus[1].qv: sku: invalid catalog value: qv -0.01 is negative`},
		{"negative cv", func(d *sku.Data) { d.SKUs[1].CV = dec("-5") }, sku.ErrInvalid,
			`sku: load skus[1].cv: sku: invalid catalog value: cv -5 is negative`},
		{"too many places", func(d *sku.Data) { d.SKUs[0].CV = dec("0.0000000000001") }, sku.ErrInvalid,
			`sku: load skus[0].cv: sku: invalid catalog value: cv 0.0000000000001 has more than 12 decimal places`},
		{"too large", func(d *sku.Data) { d.SKUs[0].PV = dec("1e15") }, sku.ErrInvalid,
			`sku: load skus[0].pv: sku: invalid catalog value: pv 1000000000000000 is 10^15 or more`},
		{"non-commissionable with volume", func(d *sku.Data) { d.SKUs[5].CV = dec("1") }, sku.ErrInvalid,
			`sku: load skus[5].cv: sku: invalid catalog value: non-commissionable version declares cv 1; it must be 0`},
		{"missing id", func(d *sku.Data) { d.SKUs[0].ID = "" }, sku.ErrInvalid,
			`sku: load skus[0].sku_id: sku: invalid catalog value: SKU id is missing`},
		{"id with separator", func(d *sku.Data) { d.SKUs[0].ID = "SER*UM" }, sku.ErrInvalid,
			`sku: load skus[0].sku_id: sku: invalid catalog value: SKU id "SER*UM" contains a space or one of ; * @`},
		{"missing class", func(d *sku.Data) { d.SKUs[0].Class = "" }, sku.ErrInvalid,
			`sku: load skus[0].class: sku: invalid catalog value: class is missing`},
		{"control character", func(d *sku.Data) { d.SKUs[0].Name = "Night\nserum" }, sku.ErrInvalid,
			`sku: load skus[0].name: sku: invalid catalog value: text "Night\nserum" contains a control character`},
		{"invalid UTF-8", func(d *sku.Data) { d.SKUs[0].Category = "\xff" }, sku.ErrInvalid,
			`sku: load skus[0].category: sku: invalid catalog value: text "\xff" is not valid UTF-8`},
		{"missing effective_from", func(d *sku.Data) { d.SKUs[0].EffectiveFrom = time.Time{} }, sku.ErrInvalid,
			`sku: load skus[0].effective_from: sku: invalid catalog value: effective_from is missing`},
		{"effective_from before 1970", func(d *sku.Data) { d.SKUs[0].EffectiveFrom = ts("1969-12-31T23:59:59Z") }, sku.ErrInvalid,
			`sku: load skus[0].effective_from: sku: invalid catalog value: effective_from 1969-12-31T23:59:59Z is not between 1970 and 2262`},
		{"shares sum below 1", func(d *sku.Data) { d.SKUs[4].Components[1].Share = dec("0.39") }, sku.ErrInvalid,
			`sku: load skus[4].components: sku: invalid catalog value: kit "STARTER" shares sum to 0.99, not 1`},
		{"shares sum above 1", func(d *sku.Data) { d.SKUs[4].Components[0].Share = dec("0.61") }, sku.ErrInvalid,
			`sku: load skus[4].components: sku: invalid catalog value: kit "STARTER" shares sum to 1.01, not 1`},
		{"negative share", func(d *sku.Data) {
			d.SKUs[4].Components[0].Share = dec("1.4")
			d.SKUs[4].Components[1].Share = dec("-0.4")
		}, sku.ErrInvalid, `sku: load skus[4].components[0].share: sku: invalid catalog value: share 1.4 is more than 1`},
		{"share below zero", func(d *sku.Data) { d.SKUs[4].Components[1].Share = dec("-0.4") }, sku.ErrInvalid,
			`sku: load skus[4].components[1].share: sku: invalid catalog value: share -0.4 is negative`},
		{"zero quantity per kit", func(d *sku.Data) { d.SKUs[4].Components[0].Qty = 0 }, sku.ErrInvalid,
			`sku: load skus[4].components[0].qty: sku: invalid catalog value: quantity per kit 0 is not from 1 to 1000000`},
		{"component twice", func(d *sku.Data) { d.SKUs[4].Components[1].SKU = "VITC" }, sku.ErrDuplicate,
			`sku: load skus[4].components[1].sku_id: sku: duplicate catalog record: kit "STARTER" names component "VITC" twice`},
		{"kit in itself", func(d *sku.Data) { d.SKUs[4].Components[1].SKU = "STARTER" }, sku.ErrInvalid,
			`sku: load skus[4].components[1].sku_id: sku: invalid catalog value: kit "STARTER" names itself as a component`},
		{"unknown component", func(d *sku.Data) { d.SKUs[4].Components[1].SKU = "MANUAL" }, sku.ErrUnknownSKU,
			`sku: load skus[4].components[1].sku_id: sku: unknown SKU: kit "STARTER" names component "MANUAL", which the catalog does not define`},
		{"nested kit", func(d *sku.Data) {
			d.SKUs = append(d.SKUs, sku.Version{ID: "MEGA", EffectiveFrom: ts("2025-01-01T00:00:00Z"), Class: "starter_kit",
				Components: []sku.Component{{SKU: "STARTER", Qty: 1, Share: dec("1")}}})
		}, sku.ErrInvalid, `sku: load skus[6].components[0].sku_id: sku: invalid catalog value: component "STARTER" of kit "MEGA" is itself a kit (version effective 2025-01-01T00:00:00Z); kits do not nest`},
		{"component later than its kit", func(d *sku.Data) { d.SKUs[4].Components[1].SKU = "SERUM" }, sku.ErrNotInForce,
			`sku: load skus[4].components[1].sku_id: sku: no version in force: component "SERUM" takes effect 2025-03-01T00:00:00Z, after kit "STARTER"'s version effective 2025-01-01T00:00:00Z`},
		{"binding to unknown SKU", func(d *sku.Data) { d.Keys[0].SKU = "SERUMX" }, sku.ErrUnknownSKU,
			`sku: load keys[0].sku_id: sku: unknown SKU: key woocommerce/shop.example/variant:812 names SKU "SERUMX", which the catalog does not define`},
		{"binding without platform", func(d *sku.Data) { d.Keys[0].Key.Platform = "" }, sku.ErrInvalid,
			`sku: load keys[0].platform: sku: invalid catalog value: platform is missing`},
		{"binding with unknown kind", func(d *sku.Data) { d.Keys[0].Key.Kind = "name" }, sku.ErrInvalid,
			`sku: load keys[0].kind: sku: invalid catalog value: kind "name" is neither "sku" nor "variant"`},
		{"binding without key", func(d *sku.Data) { d.Keys[0].Key.Value = "" }, sku.ErrInvalid,
			`sku: load keys[0].key: sku: invalid catalog value: key is missing`},
		{"binding after 2262", func(d *sku.Data) { d.Keys[0].EffectiveFrom = ts("2263-01-01T00:00:00Z") }, sku.ErrInvalid,
			`sku: load keys[0].effective_from: sku: invalid catalog value: effective_from 2263-01-01T00:00:00Z is not between 1970 and 2262`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := fixture()
			tc.break_(&d)
			c, err := sku.New(d)
			if c != nil || err == nil {
				t.Fatalf("New accepted the catalog")
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %v is not %v", err, tc.kind)
			}
			var le *sku.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %T is not a *sku.LoadError", err)
			}
			if err.Error() != tc.msg {
				t.Errorf("error:\n got %s\nwant %s", err, tc.msg)
			}
		})
	}
}

// TestNewCopies checks that a catalog does not share records with its
// caller: changing the Data afterwards changes nothing.
func TestNewCopies(t *testing.T) {
	d := fixture()
	c, err := sku.New(d)
	if err != nil {
		t.Fatal(err)
	}
	d.SKUs[4].Components[0].Share = decimal.NewFromInt(7)
	d.SKUs[4].ID = "CHANGED"
	v, err := c.SKU("STARTER", ts("2025-07-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Components[0].Share.Equal(dec("0.6")) {
		t.Errorf("component share = %s after the caller changed its Data, want 0.6", v.Components[0].Share)
	}
	got := c.Data()
	got.SKUs[0].Components = append(got.SKUs[0].Components, sku.Component{SKU: "X"})
	got.Keys[0].SKU = "X"
	if diff := cmp.Diff(fixtureCatalog(t).Data(), c.Data(), dataOpts); diff != "" {
		t.Errorf("changing Data()'s result changed the catalog:\n%s", diff)
	}
}
