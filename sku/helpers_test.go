package sku_test

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err) // test literals only
	}
	return t.UTC()
}

// dataOpts compares catalogs by value: decimals by Equal, instants by Equal.
var dataOpts = cmp.Options{
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

const acme = "acme.myshopify.com"

func shopifyKey(kind sku.Kind, value string) sku.Key {
	return sku.Key{Platform: normalize.Shopify, Store: acme, Kind: kind, Value: value}
}

// fixture is the catalog in testdata/catalog.json, skus.csv and keys.csv,
// built in code with its records out of order.
func fixture() sku.Data {
	jan := ts("2025-01-01T00:00:00Z")
	return sku.Data{
		SKUs: []sku.Version{
			{ID: "SERUM", EffectiveFrom: ts("2025-03-01T00:00:00Z"), Name: "Night serum 50 ml", Category: "skin care", Class: "consumable",
				PV: dec("40"), QV: dec("40"), CV: dec("32.5")},
			{ID: "VITC", EffectiveFrom: ts("2025-06-01T00:00:00Z"), Name: "Vitamin C 90", Category: "supplements", Class: "consumable",
				PV: dec("30"), QV: dec("30"), CV: dec("24")},
			{ID: "VITC", EffectiveFrom: jan, Name: "Vitamin C 90", Category: "supplements", Class: "consumable",
				PV: dec("25"), QV: dec("25"), CV: dec("20")},
			{ID: "GUIDE", EffectiveFrom: jan, Name: "Business guide", Category: "literature", Class: "starter_kit",
				PV: dec("0"), QV: dec("0"), CV: dec("0")},
			{ID: "STARTER", EffectiveFrom: jan, Name: "Starter kit", Category: "kits", Class: "starter_kit",
				PV: dec("100"), QV: dec("100"), CV: dec("80"),
				Components: []sku.Component{{SKU: "VITC", Qty: 2, Share: dec("0.6")}, {SKU: "GUIDE", Qty: 1, Share: dec("0.4")}}},
			{ID: "GIFT", EffectiveFrom: jan, Name: "Gift card, $25", Category: "gift cards", Class: "non_commissionable", NonCommissionable: true,
				PV: dec("0"), QV: dec("0"), CV: dec("0")},
		},
		Keys: []sku.Binding{
			{Key: sku.Key{Platform: normalize.WooCommerce, Store: "shop.example", Kind: sku.KindVariant, Value: "812"}, SKU: "SERUM"},
			{Key: sku.Key{Platform: normalize.WooCommerce, Store: "shop.example", Kind: sku.KindSKU, Value: "SHARED-SKU"}, SKU: "VITC"},
			{Key: shopifyKey(sku.KindSKU, "OLD-VITC"), EffectiveFrom: ts("2025-09-01T00:00:00Z"), SKU: "SERUM"},
			{Key: shopifyKey(sku.KindSKU, "OLD-VITC"), SKU: "VITC"},
			{Key: shopifyKey(sku.KindSKU, "SERUM-50"), EffectiveFrom: ts("2025-02-01T00:00:00Z"), SKU: "SERUM"},
			{Key: sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "GIFT-25"}, SKU: "GIFT"},
			{Key: shopifyKey(sku.KindSKU, "KIT-STARTER-001"), SKU: "STARTER"},
			{Key: shopifyKey(sku.KindVariant, "44012345678901234567"), SKU: "VITC"},
			{Key: shopifyKey(sku.KindSKU, "VIT-C-90"), SKU: "VITC"},
		},
	}
}

func fixtureCatalog(t testing.TB) *sku.Catalog {
	t.Helper()
	c, err := sku.New(fixture())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
