package sku_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// largeCatalog holds n SKUs with 4 versions each, bound by platform SKU
// and by variant id at one store (2n keys).
func largeCatalog(b *testing.B, n int) *sku.Catalog {
	b.Helper()
	d := sku.Data{SKUs: make([]sku.Version, 0, 4*n), Keys: make([]sku.Binding, 0, 2*n)}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		id := "SKU-" + strconv.Itoa(i)
		for v := range 4 {
			pv := decimal.NewFromInt(int64(10 + v))
			d.SKUs = append(d.SKUs, sku.Version{ID: id, EffectiveFrom: start.AddDate(0, 3*v, 0), Class: "consumable", PV: pv, QV: pv, CV: pv})
		}
		d.Keys = append(d.Keys,
			sku.Binding{Key: sku.Key{Platform: normalize.Shopify, Store: acme, Kind: sku.KindSKU, Value: "P-" + strconv.Itoa(i)}, SKU: id},
			sku.Binding{Key: sku.Key{Platform: normalize.Shopify, Store: acme, Kind: sku.KindVariant, Value: strconv.FormatInt(44000000000000000+int64(i), 10)}, SKU: id},
		)
	}
	c, err := sku.New(d)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkLookup looks up keys spread over a catalog of 100k SKUs with
// four versions each (200k keys), at instants spread over those versions:
// 1024 keys in turn, so what it reads stays in the CPU caches, as for a
// shop's best sellers. Target: ≤ 100 ns/op, 0 allocs/op.
//
// 1k is the same on a catalog of 1000 SKUs; cold looks up 64Ki keys, so
// most lookups miss the caches (about three cache misses each). Lookup
// copies the ~170-byte Version out of the catalog.
func BenchmarkLookup(b *testing.B) {
	b.Run("100k", func(b *testing.B) { benchLookup(b, 100_000, 1024, lookup) })
	b.Run("1k", func(b *testing.B) { benchLookup(b, 1_000, 1024, lookup) })
	b.Run("100k-cold", func(b *testing.B) { benchLookup(b, 100_000, 1<<16, lookup) })
}

// BenchmarkLookupStores looks keys up in a catalog that binds 1000 SKUs at
// each of 1 or 10 stores: the cost of finding a key's scope (platform,
// store, kind) among 2 or 20.
func BenchmarkLookupStores(b *testing.B) {
	for _, stores := range []int{1, 10} {
		b.Run(strconv.Itoa(stores), func(b *testing.B) {
			var d sku.Data
			for i := range 1000 {
				id := "SKU-" + strconv.Itoa(i)
				d.SKUs = append(d.SKUs, sku.Version{ID: id, EffectiveFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Class: "consumable", PV: decimal.NewFromInt(1)})
				for s := range stores {
					store := "store" + strconv.Itoa(s) + ".myshopify.com"
					d.Keys = append(d.Keys,
						sku.Binding{Key: sku.Key{Platform: normalize.Shopify, Store: store, Kind: sku.KindSKU, Value: "P-" + strconv.Itoa(i)}, SKU: id},
						sku.Binding{Key: sku.Key{Platform: normalize.Shopify, Store: store, Kind: sku.KindVariant, Value: strconv.FormatInt(44000000000000000+int64(i), 10)}, SKU: id})
				}
			}
			c, err := sku.New(d)
			if err != nil {
				b.Fatal(err)
			}
			keys := make([]sku.Key, 1024)
			for i := range keys {
				keys[i] = sku.Key{Platform: normalize.Shopify, Store: "store" + strconv.Itoa(i%stores) + ".myshopify.com", Kind: sku.KindSKU, Value: "P-" + strconv.Itoa(i%1000)}
			}
			at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			b.ReportAllocs()
			defer cpuMeter(b)()
			i := 0
			for b.Loop() {
				if _, err := c.Lookup(keys[i&1023], at); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func lookup(c *sku.Catalog, k sku.Key, at time.Time) error {
	_, err := c.Lookup(k, at)
	return err
}

// benchLookup looks up m keys (a power of 2) in turn in a catalog of n SKUs.
func benchLookup(b *testing.B, n, m int, f func(*sku.Catalog, sku.Key, time.Time) error) {
	c := largeCatalog(b, n)
	keys := make([]sku.Key, m)
	ats := make([]time.Time, len(keys))
	for i := range keys {
		j := (i * 7919) % n
		keys[i] = sku.Key{Platform: normalize.Shopify, Store: acme, Kind: sku.KindSKU, Value: "P-" + strconv.Itoa(j)}
		ats[i] = time.Date(2024, time.Month(1+i%12), 15, 0, 0, 0, 0, time.UTC)
	}
	b.ReportAllocs()
	defer cpuMeter(b)()
	i := 0
	for b.Loop() {
		if err := f(c, keys[i&(m-1)], ats[i&(m-1)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkMap maps a paid three-line order (one line by variant id) on
// the same catalog, and a kit order on the fixture. Allocations are the
// result and one product (two allocations) per volume a line earns more
// than one unit of; PV, QV and CV of this catalog are equal, so they share
// it (see TestMapAllocs). Most of the kit's are normalize.Allocate's,
// splitting its net.
func BenchmarkMap(b *testing.B) {
	b.Run("3-lines", func(b *testing.B) {
		c := largeCatalog(b, 100_000)
		o := order(b, normalize.Shopify, acme, "2024-08-01T00:00:00Z", normalize.StatusPaid, []line{
			{"P-17", "", 2, "20.00", "0"}, {"P-99999", "", 1, "35.50", "2.50"}, {"", "44000000000050000", 3, "9.99", "0"},
		})
		b.ReportAllocs()
		defer cpuMeter(b)()
		for b.Loop() {
			if _, err := c.Map(o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kit", func(b *testing.B) {
		c := fixtureCatalog(b)
		o := order(b, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPaid, []line{{"KIT-STARTER-001", "", 3, "33.33", "0"}})
		b.ReportAllocs()
		defer cpuMeter(b)()
		for b.Loop() {
			if _, err := c.Map(o); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMapInto is BenchmarkMap appending to a reused buffer, as the
// commission engine's hot loop does. 3-lines earns 2, 1 and 3 units,
// whose volume products the catalog holds, so it allocates nothing, as
// 3-lines-one-unit (one unit a line) and pending (nothing earned) do.
func BenchmarkMapInto(b *testing.B) {
	c := largeCatalog(b, 100_000)
	for _, bc := range []struct {
		name   string
		status normalize.Status
		qty    [3]int64
	}{
		{"3-lines", normalize.StatusPaid, [3]int64{2, 1, 3}},
		{"3-lines-one-unit", normalize.StatusPaid, [3]int64{1, 1, 1}},
		{"3-lines-pending", normalize.StatusPending, [3]int64{2, 1, 3}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := order(b, normalize.Shopify, acme, "2024-08-01T00:00:00Z", bc.status, []line{
				{"P-17", "", bc.qty[0], "20.00", "0"}, {"P-99999", "", bc.qty[1], "35.50", "2.50"}, {"", "44000000000050000", bc.qty[2], "9.99", "0"},
			})
			benchMapInto(b, c, o)
		})
	}
	b.Run("kit", func(b *testing.B) {
		c := fixtureCatalog(b)
		o := order(b, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPaid, []line{{"KIT-STARTER-001", "", 3, "33.33", "0"}})
		benchMapInto(b, c, o)
	})
}

// benchMapInto maps o with c.MapInto into one reused buffer per op.
func benchMapInto(b *testing.B, c *sku.Catalog, o *normalize.Order) {
	buf := make([]sku.Mapped, 0, 16)
	b.ReportAllocs()
	defer cpuMeter(b)()
	for b.Loop() {
		var err error
		if buf, err = c.MapInto(buf[:0], o); err != nil {
			b.Fatal(err)
		}
	}
}
