package sku_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Build a small catalog in code and map an order: one product sold on its
// own and inside a starter kit.
func Example() {
	jan := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d := decimal.RequireFromString
	catalog, err := sku.New(sku.Data{
		SKUs: []sku.Version{
			{ID: "VITC", EffectiveFrom: jan, Name: "Vitamin C 90", Class: "consumable", PV: d("25"), QV: d("25"), CV: d("20")},
			{ID: "GUIDE", EffectiveFrom: jan, Name: "Business guide", Class: "starter_kit", PV: d("0"), QV: d("0"), CV: d("0")},
			{ID: "STARTER", EffectiveFrom: jan, Name: "Starter kit", Class: "starter_kit", PV: d("100"), QV: d("100"), CV: d("80"),
				Components: []sku.Component{{SKU: "VITC", Qty: 2, Share: d("0.6")}, {SKU: "GUIDE", Qty: 1, Share: d("0.4")}}},
		},
		Keys: []sku.Binding{
			{Key: sku.Key{Platform: normalize.Shopify, Store: "acme.myshopify.com", Kind: sku.KindSKU, Value: "VIT-C-90"}, SKU: "VITC"},
			{Key: sku.Key{Platform: normalize.Shopify, Store: "acme.myshopify.com", Kind: sku.KindSKU, Value: "KIT-STARTER-001"}, SKU: "STARTER"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	order, err := normalize.DecodeJSON([]byte(`{
	  "platform": "shopify", "store": "acme.myshopify.com", "platform_order_id": "587364120",
	  "order_ts": "2025-08-28T08:11:04Z", "status": "paid", "currency": "USD",
	  "items": [
	    {"line_id": "1", "platform_sku": "KIT-STARTER-001", "qty": 1, "unit_price": "99.00", "discount": "5.00"},
	    {"line_id": "2", "platform_sku": "VIT-C-90", "qty": 2, "unit_price": "19.50"}
	  ],
	  "total": "133.00"
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	lines, err := catalog.Map(&order)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range lines {
		fmt.Printf("line %s component %2d: %-5s %-11s qty %d PV %-3s CV %-3s net %s\n",
			m.LineID, m.Component, m.SKU.ID, m.Class, m.Qty, m.PV, m.CV, m.Net.StringFixed(2))
	}
	// Output:
	// line 1 component  0: VITC  consumable  qty 2 PV 60  CV 48  net 56.40
	// line 1 component  1: GUIDE starter_kit qty 1 PV 40  CV 32  net 37.60
	// line 2 component -1: VITC  consumable  qty 2 PV 50  CV 40  net 39.00
}

// A line whose SKU the catalog does not know holds the whole order back,
// with an error naming the order, the line and the key.
func ExampleCatalog_Map_unknownSKU() {
	catalog, _ := sku.LoadCSV(
		[]byte("sku_id,effective_from,class,pv,qv,cv\nVITC,2025-01-01T00:00:00Z,consumable,25,25,20\n"),
		[]byte("platform,kind,key,sku_id\nshopify,sku,VIT-C-90,VITC\n"),
	)
	order, _ := normalize.DecodeJSON([]byte(`{
	  "platform": "shopify", "store": "acme.myshopify.com", "platform_order_id": "1002",
	  "order_ts": "2025-08-28T08:11:04Z", "status": "paid", "currency": "USD",
	  "items": [{"line_id": "7", "platform_sku": "VIT-D-60", "qty": 1, "unit_price": "12.00"}],
	  "total": "12.00"
	}`))
	lines, err := catalog.Map(&order)
	var me *sku.MapError
	if errors.As(err, &me) && errors.Is(err, sku.ErrUnknownSKU) {
		fmt.Printf("%d lines mapped; hold order %s: line %s, key %s\n", len(lines), me.OrderID, me.LineID, me.Key)
	}
	// Output:
	// 0 lines mapped; hold order 1002: line 7, key shopify/acme.myshopify.com/sku:VIT-D-60
}

// Load a catalog from JSON and ask which version of a SKU applied at an
// instant.
func ExampleCatalog_Lookup() {
	catalog, err := sku.LoadJSON([]byte(`{
	  "skus": [
	    {"sku_id": "VITC", "effective_from": "2025-01-01T00:00:00Z", "class": "consumable", "pv": "25", "qv": "25", "cv": "20"},
	    {"sku_id": "VITC", "effective_from": "2025-06-01T00:00:00Z", "class": "consumable", "pv": "30", "qv": "30", "cv": "24"}
	  ],
	  "keys": [{"platform": "woocommerce", "store": "shop.example", "kind": "variant", "key": "812", "sku_id": "VITC"}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	key := sku.Key{Platform: normalize.WooCommerce, Store: "shop.example", Kind: sku.KindVariant, Value: "812"}
	for _, at := range []string{"2024-12-31T23:59:59Z", "2025-03-01T00:00:00Z", "2025-06-01T00:00:00Z"} {
		t, _ := time.Parse(time.RFC3339, at)
		v, err := catalog.Lookup(key, t)
		if err != nil {
			fmt.Println(at, err)
			continue
		}
		fmt.Println(at, v.ID, "since", v.EffectiveFrom.Format("2006-01-02"), "PV", v.PV)
	}
	// Output:
	// 2024-12-31T23:59:59Z sku: no version in force
	// 2025-03-01T00:00:00Z VITC since 2025-01-01 PV 25
	// 2025-06-01T00:00:00Z VITC since 2025-06-01 PV 30
}

// MapInto maps orders into one buffer, reused from order to order.
func ExampleCatalog_MapInto() {
	jan := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	catalog, err := sku.New(sku.Data{
		SKUs: []sku.Version{{ID: "VITC", EffectiveFrom: jan, Class: "consumable",
			PV: decimal.RequireFromString("12.5"), QV: decimal.RequireFromString("12.5"), CV: decimal.RequireFromString("10")}},
		Keys: []sku.Binding{{Key: sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "VIT-C-90"}, SKU: "VITC"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf []sku.Mapped
	for _, qty := range []int64{1, 3} {
		unit := decimal.RequireFromString("19.99")
		net := unit.Mul(decimal.NewFromInt(qty))
		order := normalize.Order{Platform: normalize.Shopify, Store: "acme.myshopify.com", PlatformOrderID: "1001",
			OrderTS: jan.AddDate(0, 6, 0), Status: normalize.StatusPaid, Currency: "USD",
			Items: []normalize.Line{{LineID: "1", PlatformSKU: "VIT-C-90", Qty: qty, UnitPrice: unit, Gross: net, Net: net}}}
		buf, err = catalog.MapInto(buf[:0], &order)
		if err != nil {
			fmt.Println(err) // hold the order: no line of it was appended
			continue
		}
		for i := range buf {
			fmt.Printf("qty %d: %s PV %s, net %s\n", qty, buf[i].SKU.ID, buf[i].PV, buf[i].Net)
		}
	}
	// Output:
	// qty 1: VITC PV 12.5, net 19.99
	// qty 3: VITC PV 37.5, net 59.97
}
