package sku_test

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// TestLookupErrors: a lookup that fails returns the zero Version, also on
// the zero Catalog.
func TestLookupErrors(t *testing.T) {
	c := fixtureCatalog(t)
	for _, tc := range []struct {
		name string
		key  sku.Key
		at   string
		err  error
	}{
		{"unknown key", shopifyKey(sku.KindSKU, "NOPE"), "2025-07-01T00:00:00Z", sku.ErrUnknownSKU},
		{"not in force", shopifyKey(sku.KindSKU, "SERUM-50"), "2025-02-15T00:00:00Z", sku.ErrNotInForce},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := c.Lookup(tc.key, ts(tc.at))
			if !errors.Is(err, tc.err) {
				t.Fatalf("Lookup error = %v, want %v", err, tc.err)
			}
			if diff := cmp.Diff(sku.Version{}, v, dataOpts); diff != "" {
				t.Errorf("Lookup returned a version with its error (-want +got):\n%s", diff)
			}
		})
	}
	var zero sku.Catalog
	if _, err := zero.Lookup(shopifyKey(sku.KindSKU, "VIT-C-90"), ts("2025-07-01T00:00:00Z")); !errors.Is(err, sku.ErrUnknownSKU) {
		t.Errorf("zero Catalog Lookup error = %v, want ErrUnknownSKU", err)
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	c := fixtureCatalog(t)
	k := shopifyKey(sku.KindSKU, "GIFT-25") // found through the any-store fallback
	at := ts("2025-07-01T00:00:00Z")
	for name, f := range map[string]func(){
		"hit":  func() { _, _ = c.Lookup(k, at) },
		"miss": func() { _, _ = c.Lookup(shopifyKey(sku.KindVariant, "1"), at) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times per call, want 0", name, n)
		}
	}
}

// TestLookupManyKeys builds a catalog large enough for the key table to
// have long probe sequences and checks every key, and keys next to them
// that are not in it.
func TestLookupManyKeys(t *testing.T) {
	const n = 20_000
	d := sku.Data{}
	from := ts("2025-01-01T00:00:00Z")
	long := strings.Repeat("L", 40)
	for i := range n {
		id := "S" + strconv.Itoa(i)
		d.SKUs = append(d.SKUs, sku.Version{ID: id, EffectiveFrom: from, Class: "c", PV: decimal.NewFromInt(int64(i))})
		d.Keys = append(d.Keys,
			sku.Binding{Key: shopifyKey(sku.KindSKU, strconv.Itoa(i)), SKU: id},
			sku.Binding{Key: shopifyKey(sku.KindVariant, long+strconv.Itoa(i)), SKU: id})
	}
	c, err := sku.New(d)
	if err != nil {
		t.Fatal(err)
	}
	at := ts("2025-07-01T00:00:00Z")
	for i := range n {
		want := "S" + strconv.Itoa(i)
		for _, k := range []sku.Key{shopifyKey(sku.KindSKU, strconv.Itoa(i)), shopifyKey(sku.KindVariant, long+strconv.Itoa(i))} {
			if v, err := c.Lookup(k, at); err != nil || v.ID != want {
				t.Fatalf("Lookup(%s) = %q, %v, want %q", k, v.ID, err, want)
			}
		}
		for _, k := range []sku.Key{shopifyKey(sku.KindSKU, strconv.Itoa(n+i)), shopifyKey(sku.KindVariant, strconv.Itoa(i)),
			shopifyKey(sku.KindVariant, long[1:]+strconv.Itoa(i)),
			shopifyKey(sku.KindVariant, "M"+long[1:]+strconv.Itoa(i)), shopifyKey(sku.KindVariant, long+strconv.Itoa(i)[1:]+"x"), shopifyKey(sku.KindVariant, long+strconv.Itoa(i)+"x"), {Platform: normalize.Shopify, Store: "other", Kind: sku.KindSKU, Value: strconv.Itoa(i) + "x"}} {
			if _, err := c.Lookup(k, at); !errors.Is(err, sku.ErrUnknownSKU) {
				t.Fatalf("Lookup(%s) error = %v, want ErrUnknownSKU", k, err)
			}
		}
	}
}

// TestLookupModel checks Lookup against a direct reading of the
// records on many small generated catalogs: many scopes, long values,
// re-bound keys, several versions.
func TestLookupModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		b := make([]byte, 64+r.IntN(256))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkModel(t, b) })
	}
}

// FuzzLookup: on a catalog generated from the input, Lookup agrees
// with a direct reading of the records for every key the catalog holds,
// for keys it does not, and at instants around every effective instant.
func FuzzLookup(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x03\x02\x01\x00\x07\x05\x09\x11\x21\x13\x08\x40\x41\x42\x43\x44\x45\x46\x47\x48\x49\x4a"))
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		b := make([]byte, 128)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(checkModel)
}

// genCatalog derives a valid catalog from arbitrary bytes.
func genCatalog(in []byte) sku.Data {
	next := func() int {
		if len(in) == 0 {
			return 0
		}
		b := in[0]
		in = in[1:]
		return int(b)
	}
	month := func(m int) time.Time { return time.Date(2025, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC) }
	var d sku.Data
	nskus := 1 + next()%6
	for s := range nskus {
		id := "S" + strconv.Itoa(s)
		seen := map[int]bool{}
		for range 1 + next()%4 {
			m := next() % 12
			if seen[m] {
				continue
			}
			seen[m] = true
			d.SKUs = append(d.SKUs, sku.Version{ID: id, EffectiveFrom: month(m), Class: "c" + strconv.Itoa(m), PV: decimal.NewFromInt(int64(m))})
		}
	}
	type ident struct {
		k sku.Key
		m int
	}
	seen := map[ident]bool{}
	platforms := []normalize.Platform{normalize.Shopify, normalize.WooCommerce, normalize.Magento}
	for range next() % 24 {
		x := next()
		k := sku.Key{Platform: platforms[x%3], Kind: sku.KindSKU}
		if x&4 != 0 {
			k.Kind = sku.KindVariant
		}
		if st := (x >> 3) % 6; st > 0 {
			k.Store = "store" + strconv.Itoa(st)
		}
		v := next()
		k.Value = strconv.Itoa(v % 7)
		if v&8 != 0 {
			k.Value = strings.Repeat("v", 20+v%40) + k.Value // long values, some beyond a record's inline bytes
		}
		m := next()%14 - 1 // -1: since always
		if seen[ident{k, m}] {
			continue
		}
		seen[ident{k, m}] = true
		b := sku.Binding{Key: k, SKU: "S" + strconv.Itoa(next()%nskus)}
		if m >= 0 {
			b.EffectiveFrom = month(m)
		}
		d.Keys = append(d.Keys, b)
	}
	return d
}

// modelLookup reads the answer to a lookup straight from the records.
func modelLookup(d sku.Data, k sku.Key, at time.Time) (sku.Version, error) {
	cands := []sku.Key{k}
	if k.Store != "" {
		k.Store = ""
		cands = append(cands, k)
	}
	for _, k := range cands {
		var bound *sku.Binding
		found := false
		for i := range d.Keys {
			b := &d.Keys[i]
			if b.Key != k {
				continue
			}
			found = true
			if !b.EffectiveFrom.After(at) && (bound == nil || b.EffectiveFrom.After(bound.EffectiveFrom)) {
				bound = b
			}
		}
		if !found {
			continue
		}
		if bound == nil {
			return sku.Version{}, sku.ErrNotInForce
		}
		var v *sku.Version
		for i := range d.SKUs {
			s := &d.SKUs[i]
			if s.ID == bound.SKU && !s.EffectiveFrom.After(at) && (v == nil || s.EffectiveFrom.After(v.EffectiveFrom)) {
				v = s
			}
		}
		if v == nil {
			return sku.Version{}, sku.ErrNotInForce
		}
		return *v, nil
	}
	return sku.Version{}, sku.ErrUnknownSKU
}

func checkModel(t *testing.T, in []byte) {
	d := genCatalog(in)
	c, err := sku.New(d)
	if err != nil {
		t.Fatalf("generated catalog does not build: %v", err)
	}
	probes := []sku.Key{{Platform: normalize.Shopify, Store: "store9", Kind: sku.KindSKU, Value: "1"}, {Platform: "other", Kind: sku.KindSKU, Value: "1"}}
	for _, b := range d.Keys {
		k := b.Key
		probes = append(probes, k)
		k.Store = "store9"
		probes = append(probes, k)
		k.Value += "x"
		probes = append(probes, k)
		k.Value = k.Value[1:]
		probes = append(probes, k)
		k = b.Key // same length, one byte off at either end
		k.Value = "#" + b.Key.Value[1:]
		probes = append(probes, k)
		k.Value = b.Key.Value[:len(b.Key.Value)-1] + "#"
		probes = append(probes, k)
	}
	ats := []time.Time{ts("1900-01-01T00:00:00Z"), ts("2500-01-01T00:00:00Z")}
	for m := range 15 {
		at := time.Date(2025, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC)
		ats = append(ats, at, at.Add(-time.Nanosecond))
	}
	for _, k := range probes {
		for _, at := range ats {
			want, werr := modelLookup(d, k, at)
			got, err := c.Lookup(k, at)
			if !errors.Is(err, werr) || (werr == nil && err != nil) {
				t.Fatalf("Lookup(%s, %s) error = %v, want %v", k, at, err, werr)
			}
			if !sameVersion(want, got) {
				t.Fatalf("Lookup(%s, %s) = %+v, model says %+v", k, at, got, want)
			}
		}
	}
}

// sameVersion compares the fields genCatalog sets (cmp.Diff is too slow
// for the number of lookups TestLookupModel makes).
func sameVersion(a, b sku.Version) bool {
	return a.ID == b.ID && a.EffectiveFrom.Equal(b.EffectiveFrom) && a.Class == b.Class && a.PV.Equal(b.PV) && len(a.Components) == len(b.Components)
}
