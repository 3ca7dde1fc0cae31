package sku_test

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// exactOpts compares Mapped values strictly: decimals by coefficient and
// exponent (1.50 is not 1.5), instants by Equal.
var exactOpts = cmp.Options{
	cmp.Comparer(func(a, b decimal.Decimal) bool {
		return a.Exponent() == b.Exponent() && a.Coefficient().Cmp(b.Coefficient()) == 0
	}),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	cmpopts.EquateEmpty(),
}

// TestMapIntoModel checks MapInto and Map against a direct reading of the
// records (modelMap) on many generated catalogs and orders: kits, equal
// and unequal volumes written in different ways, non-commissionable
// versions, re-bound keys, any-store keys, every status, refunds of units
// and money (also of unknown lines, and enough to take the map path),
// unknown keys, versions not in force, negative quantities and unknown
// currencies. MapInto appends after lines already in its buffer and,
// on an error, leaves them as they were and zeroes the rest of its array.
func TestMapIntoModel(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	prefix := sku.Mapped{LineID: "earlier", Line: 7, Component: sku.NoComponent, PV: dec("1.5")}
	var buf []sku.Mapped
	for i := range 400 {
		d := genMapCatalog(r)
		c, err := sku.New(d)
		if err != nil {
			t.Fatalf("catalog %d does not build: %v", i, err)
		}
		for j := range 25 {
			o := genMapOrder(r)
			want, wantErrs := modelMap(t, d, o)
			got, err := c.Map(o)
			buf, ierr := c.MapInto(append(buf[:0], prefix), o)
			name := "catalog " + strconv.Itoa(i) + " order " + strconv.Itoa(j)
			if len(wantErrs) > 0 {
				checkMapErrs(t, name+": Map", err, wantErrs)
				checkMapErrs(t, name+": MapInto", ierr, wantErrs)
				if got != nil {
					t.Fatalf("%s: Map returned %d lines with its error", name, len(got))
				}
				if len(buf) != 1 || buf[0].LineID != "earlier" {
					t.Fatalf("%s: MapInto's buffer after an error holds %d lines, want the 1 it had", name, len(buf))
				}
				for k, m := range buf[1:cap(buf)] {
					if !cmp.Equal(m, sku.Mapped{}, exactOpts) {
						t.Fatalf("%s: MapInto left line %d of its array set after an error: %+v", name, k+1, m)
					}
				}
				if err.Error() != ierr.Error() {
					t.Fatalf("%s: Map and MapInto errors differ:\n%v\n%v", name, err, ierr)
				}
				continue
			}
			if err != nil || ierr != nil {
				t.Fatalf("%s: Map error %v, MapInto error %v; the model maps it", name, err, ierr)
			}
			if got == nil {
				t.Fatalf("%s: Map returned nil without an error", name)
			}
			if diff := cmp.Diff(want, got, exactOpts); diff != "" {
				t.Fatalf("%s: Map differs from the model (-model +Map):\n%s", name, diff)
			}
			if diff := cmp.Diff(append([]sku.Mapped{prefix}, want...), buf, exactOpts); diff != "" {
				t.Fatalf("%s: MapInto differs from the model (-model +MapInto):\n%s", name, diff)
			}
		}
	}
}

// mapErr is a failure the model expects: the line and the error kind.
type mapErr struct {
	line int
	kind error
}

func checkMapErrs(t *testing.T, name string, err error, want []mapErr) {
	t.Helper()
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("%s: error %v, want %d *MapError joined", name, err, len(want))
	}
	errs := j.Unwrap()
	if len(errs) != len(want) {
		t.Fatalf("%s: %d errors, want %d:\n%v", name, len(errs), len(want), err)
	}
	for i, e := range errs {
		var me *sku.MapError
		if !errors.As(e, &me) || me.Line != want[i].line || !errors.Is(e, want[i].kind) {
			t.Fatalf("%s: error %d is %v, want line %d with %v", name, i, e, want[i].line, want[i].kind)
		}
	}
}

var (
	mapMonth   = func(m int) time.Time { return time.Date(2025, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC) }
	mapVolumes = []string{"", "0", "1", "2.5", "2.50", "10", "7.0", "7.00", "0.125", "1e2", "333.333333333333"}
	mapShares  = [][]string{{"1"}, {"0.6", "0.4"}, {"0.25", "0.25", "0.5"}, {"0.333", "0.667"}, {"0", "1.0"}}
)

// genMapCatalog generates plain SKUs P0..P4 (each with a version from
// January), kits K0 and K1 of them, and keys for all.
func genMapCatalog(r *rand.Rand) sku.Data {
	vol := func() decimal.Decimal {
		if s := mapVolumes[r.IntN(len(mapVolumes))]; s != "" {
			return dec(s)
		}
		return decimal.Decimal{}
	}
	var d sku.Data
	version := func(id string, m int, kit bool) {
		v := sku.Version{ID: id, EffectiveFrom: mapMonth(m), Class: "c" + strconv.Itoa(r.IntN(3))}
		if r.IntN(6) == 0 {
			v.NonCommissionable = true
			if r.IntN(2) == 0 {
				v.PV, v.QV, v.CV = dec("0"), dec("0.00"), decimal.Decimal{}
			}
		} else {
			v.PV, v.QV, v.CV = vol(), vol(), vol()
			if r.IntN(2) == 0 {
				v.QV = v.PV
			}
			if r.IntN(2) == 0 {
				v.CV = v.PV
			}
		}
		if kit {
			shares := mapShares[r.IntN(len(mapShares))]
			for j, p := range r.Perm(5)[:len(shares)] {
				v.Components = append(v.Components, sku.Component{SKU: "P" + strconv.Itoa(p), Qty: 1 + r.Int64N(3), Share: dec(shares[j])})
			}
		}
		d.SKUs = append(d.SKUs, v)
	}
	for _, kit := range []bool{false, true} {
		for s := range 5 {
			if kit && s >= 2 {
				break
			}
			id := "P" + strconv.Itoa(s)
			if kit {
				id = "K" + strconv.Itoa(s)
			}
			version(id, 0, kit)
			for _, m := range r.Perm(11)[:r.IntN(3)] {
				version(id, 1+m, kit)
			}
		}
	}
	ids := []string{"P0", "P1", "P2", "P3", "P4", "K0", "K1"}
	type ident struct {
		k sku.Key
		m int
	}
	seen := map[ident]bool{}
	for range 6 + r.IntN(20) {
		k := sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "S" + strconv.Itoa(r.IntN(8))}
		if r.IntN(3) == 0 {
			k.Kind, k.Value = sku.KindVariant, "V"+strconv.Itoa(r.IntN(8))
		}
		if r.IntN(3) > 0 {
			k.Store = acme
		}
		m := r.IntN(8) - 3 // below 0: since always
		if m < 0 {
			m = -1
		}
		if seen[ident{k, m}] {
			continue
		}
		seen[ident{k, m}] = true
		b := sku.Binding{Key: k, SKU: ids[r.IntN(len(ids))]}
		if m >= 0 {
			b.EffectiveFrom = mapMonth(m)
		}
		d.Keys = append(d.Keys, b)
	}
	return d
}

// genMapOrder generates an order of up to 6 lines, not necessarily one
// that passes Validate: Map does not require it.
func genMapOrder(r *rand.Rand) *normalize.Order {
	statuses := []normalize.Status{normalize.StatusPaid, normalize.StatusPaid, normalize.StatusPartiallyRefunded,
		normalize.StatusPending, normalize.StatusRefunded, normalize.StatusCancelled}
	currencies := []string{"USD", "USD", "USD", "JPY", "BHD", "XXX"}
	money := func() decimal.Decimal {
		return decimal.New(r.Int64N(100_000)-2_000, -int32(r.IntN(4)))
	}
	o := &normalize.Order{
		Platform: normalize.Shopify, Store: acme, PlatformOrderID: strconv.Itoa(r.IntN(1000)),
		OrderTS: mapMonth(r.IntN(12)).Add(time.Duration(r.IntN(3)-1) * time.Hour), Status: statuses[r.IntN(len(statuses))],
		Currency: currencies[r.IntN(len(currencies))],
	}
	if r.IntN(4) == 0 {
		o.Store = "other.myshopify.com"
	}
	if r.IntN(8) == 0 {
		o.Store = ""
	}
	for i := range r.IntN(7) {
		l := normalize.Line{LineID: strconv.Itoa(1 + i), Qty: r.Int64N(7), Net: money()} // past maxUnits (4) too
		if r.IntN(40) == 0 {
			l.Qty = -1
		}
		if r.IntN(30) == 0 {
			l.LineID = "1" // a duplicate id
		}
		if r.IntN(10) > 0 {
			l.PlatformSKU = "S" + strconv.Itoa(r.IntN(9))
		}
		if r.IntN(3) == 0 {
			l.VariantID = "V" + strconv.Itoa(r.IntN(9))
		}
		o.Items = append(o.Items, l)
	}
	nref := r.IntN(3)
	if r.IntN(10) == 0 {
		nref = 60 // enough refund lines that MapInto counts them with a map
	}
	for i := range nref {
		rf := normalize.Refund{RefundID: "r" + strconv.Itoa(i)}
		for range 1 + r.IntN(2) {
			rf.Items = append(rf.Items, normalize.RefundLine{LineID: strconv.Itoa(1 + r.IntN(7)), Qty: r.Int64N(4) - 1, Net: money()})
		}
		o.Refunds = append(o.Refunds, rf)
	}
	return o
}

// modelMap maps o by reading the records d directly, computing volumes
// and nets in the plainest way: per unit × earning units (× share), the
// nets normalize.Commissionable returns, split with normalize.Allocate.
func modelMap(t *testing.T, d sku.Data, o *normalize.Order) ([]sku.Mapped, []mapErr) {
	t.Helper()
	paid := o.Status == normalize.StatusPaid || o.Status == normalize.StatusPartiallyRefunded
	nets := normalize.Commissionable(o)
	versionAt := func(id string) (sku.Version, bool) {
		var v *sku.Version
		for i := range d.SKUs {
			s := &d.SKUs[i]
			if s.ID == id && !s.EffectiveFrom.After(o.OrderTS) && (v == nil || s.EffectiveFrom.After(v.EffectiveFrom)) {
				v = s
			}
		}
		if v == nil {
			return sku.Version{}, false
		}
		return *v, true
	}
	var out []sku.Mapped
	var errs []mapErr
	for i, l := range o.Items {
		var keys []sku.Key
		if l.VariantID != "" {
			keys = append(keys, sku.Key{Platform: o.Platform, Store: o.Store, Kind: sku.KindVariant, Value: l.VariantID})
		}
		if l.PlatformSKU != "" {
			keys = append(keys, sku.Key{Platform: o.Platform, Store: o.Store, Kind: sku.KindSKU, Value: l.PlatformSKU})
		}
		var v sku.Version
		var key sku.Key
		err := sku.ErrUnknownSKU
		for _, k := range keys {
			// modelLookup falls back to Store "" itself; which key matched
			// is the store's if the catalog holds it.
			if v, err = modelLookup(d, k, o.OrderTS); errors.Is(err, sku.ErrUnknownSKU) {
				continue
			}
			key = k
			if !bound(d, k) {
				key.Store = ""
			}
			break
		}
		if err != nil {
			errs = append(errs, mapErr{i, err})
			continue
		}
		if l.Qty < 0 {
			errs = append(errs, mapErr{i, normalize.ErrInvalid})
			continue
		}
		earning := int64(0)
		if paid {
			earning = l.Qty
			for _, rf := range o.Refunds {
				for _, rl := range rf.Items {
					if rl.LineID == l.LineID {
						earning -= max(rl.Qty, 0)
					}
				}
			}
			earning = max(earning, 0)
		}
		base := sku.Mapped{LineID: l.LineID, Line: i, Component: sku.NoComponent, Key: key,
			PV: decimal.Zero, QV: decimal.Zero, CV: decimal.Zero, Net: decimal.Zero}
		units := decimal.NewFromInt(earning)
		if len(v.Components) == 0 {
			m := base
			m.SKU, m.Class, m.NonCommissionable, m.Qty, m.EarningQty = sku.Ref{ID: v.ID, EffectiveFrom: v.EffectiveFrom}, v.Class, v.NonCommissionable, l.Qty, earning
			if !v.NonCommissionable {
				m.PV, m.QV, m.CV, m.Net = v.PV.Mul(units), v.QV.Mul(units), v.CV.Mul(units), nets[i]
			}
			out = append(out, m)
			continue
		}
		digits, ok := normalize.MinorUnits(o.Currency)
		if !ok {
			errs = append(errs, mapErr{i, normalize.ErrInvalid})
			continue
		}
		var shares []decimal.Decimal
		for _, comp := range v.Components {
			shares = append(shares, comp.Share)
		}
		parts, err := normalize.Allocate(nets[i], shares, digits)
		if err != nil {
			if !errors.Is(err, normalize.ErrInvalid) {
				t.Fatalf("Allocate: %v", err)
			}
			errs = append(errs, mapErr{i, normalize.ErrInvalid})
			continue
		}
		for j, comp := range v.Components {
			cv, ok := versionAt(comp.SKU)
			if !ok {
				t.Fatalf("component %s of kit %s not in force at %s", comp.SKU, v.ID, o.OrderTS)
			}
			m := base
			m.Component = j
			m.SKU, m.Kit, m.Class = sku.Ref{ID: cv.ID, EffectiveFrom: cv.EffectiveFrom}, sku.Ref{ID: v.ID, EffectiveFrom: v.EffectiveFrom}, cv.Class
			m.NonCommissionable = v.NonCommissionable || cv.NonCommissionable
			m.Qty, m.EarningQty = l.Qty*comp.Qty, earning*comp.Qty
			if !m.NonCommissionable {
				m.PV, m.QV, m.CV = v.PV.Mul(units).Mul(comp.Share), v.QV.Mul(units).Mul(comp.Share), v.CV.Mul(units).Mul(comp.Share)
				m.Net = parts[j]
			}
			out = append(out, m)
		}
	}
	return out, errs
}

// bound reports whether d binds key k itself (not only for any store).
func bound(d sku.Data, k sku.Key) bool {
	for _, b := range d.Keys {
		if b.Key == k {
			return true
		}
	}
	return false
}

// TestMapIntoAllocs holds MapInto, with room in its buffer, to what it
// must allocate. A paid three-line order whose lines earn one to four
// units each, a pending order, and one whose multi-unit line is
// non-commissionable allocate nothing (the catalog holds its volumes
// times 2 to 4). Each line earning five units or more costs one product
// (two allocations) per distinct volume: VITC's PV and QV are the same
// decimal, CV another. Go's allocator may change these counts; the bounds
// are here so a change in MapInto that allocates per line is noticed.
func TestMapIntoAllocs(t *testing.T) {
	c := fixtureCatalog(t)
	const july = "2025-07-01T00:00:00Z"
	for _, tc := range []struct {
		name   string
		status normalize.Status
		lines  []line
		want   float64
	}{
		{"paid, one unit a line", normalize.StatusPaid, []line{
			{"VIT-C-90", "", 1, "20.00", "0"}, {"GIFT-25", "", 1, "25.00", "0"}, {"", "44012345678901234567", 1, "9.99", "0"}}, 0},
		{"paid, several units of a non-commissionable line", normalize.StatusPaid, []line{
			{"VIT-C-90", "", 1, "20.00", "0"}, {"GIFT-25", "", 3, "25.00", "0"}, {"SERUM-50", "", 1, "9.99", "0"}}, 0},
		{"pending", normalize.StatusPending, []line{
			{"VIT-C-90", "", 2, "20.00", "0"}, {"GIFT-25", "", 1, "25.00", "0"}, {"", "44012345678901234567", 3, "9.99", "0"}}, 0},
		{"paid, two lines of several units", normalize.StatusPaid, []line{
			{"VIT-C-90", "", 2, "20.00", "0"}, {"GIFT-25", "", 1, "25.00", "0"}, {"", "44012345678901234567", 4, "9.99", "0"}}, 0},
		{"paid, two lines of five units or more", normalize.StatusPaid, []line{
			{"VIT-C-90", "", 5, "20.00", "0"}, {"GIFT-25", "", 1, "25.00", "0"}, {"", "44012345678901234567", 9, "9.99", "0"}}, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := order(t, normalize.Shopify, acme, july, tc.status, tc.lines)
			buf := make([]sku.Mapped, 0, 8)
			if n := testing.AllocsPerRun(100, func() { buf, _ = c.MapInto(buf[:0], o) }); n > tc.want {
				t.Errorf("MapInto allocates %v times, want at most %v", n, tc.want)
			}
			if len(buf) != 3 {
				t.Errorf("MapInto mapped %d lines, want 3", len(buf))
			}
		})
	}
}
