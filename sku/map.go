package sku

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
)

// Ref names one version of an internal SKU: its id and the instant the
// version took effect. It is what an audit trail records.
type Ref struct {
	ID            string
	EffectiveFrom time.Time
}

// Mapped is one order line, or one component of a kit line, with what it
// earns: its SKU version, class, volumes and commissionable net.
type Mapped struct {
	// LineID is the platform line id; Line its index in Order.Items.
	LineID string
	Line   int
	// Component is the index into the kit version's Components, or
	// NoComponent for a line that is not a kit.
	Component int
	// Key is the catalog key the line matched.
	Key Key
	// SKU is the version applied: the line's own, or the component's.
	SKU Ref
	// Kit is the kit version the component came from; zero when
	// Component is NoComponent.
	Kit   Ref
	Class string
	// NonCommissionable says the version applied (or the kit it came
	// from) earns nothing: volumes and Net are zero.
	NonCommissionable bool
	// Qty is the units sold: the line's quantity, times the quantity per
	// kit for a component.
	Qty int64
	// EarningQty is the units that earn: Qty less refunded units, and 0
	// unless the order is paid or partially refunded.
	EarningQty int64
	// PV, QV and CV are the volumes of EarningQty units: per unit ×
	// EarningQty, or for a component the kit's volumes × Share.
	PV, QV, CV decimal.Decimal
	// Net is the commissionable net (normalize.Commissionable: the line's
	// Net less refunds); for a component, its share of the line's, split
	// to the currency's minor unit with normalize.Allocate.
	Net decimal.Decimal
}

// Map maps every line of o to its SKU version at o.OrderTS. A kit line
// yields one Mapped per component, in component order, and none for the
// kit itself, so nothing is counted twice.
//
// Each line is looked up by variant id first, then by platform SKU; each
// of those at the order's store first, then at any store of the platform
// (Store ""). The first key the catalog holds decides: if it has no
// version in force at OrderTS, the line fails with ErrNotInForce rather
// than falling back to a less specific key.
//
// Volumes follow units and net follows money: refunded units reduce the
// volumes (per unit × units not refunded), refunded money reduces Net. An
// order that is not paid or partially refunded earns nothing, so every
// line maps with zero volumes and zero net. A non-commissionable version
// maps with zero volumes and zero net.
//
// If any line fails, Map returns no lines and an error joining one
// *MapError per failed line (errors.Join), so an operator sees every
// missing key of the order at once.
//
// Map is MapInto(nil, o), with a non-nil result for an order with no
// lines.
func (c *Catalog) Map(o *normalize.Order) ([]Mapped, error) {
	out, err := c.MapInto(nil, o)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Mapped{}
	}
	return out, nil
}

// MapInto is Map appending to dst, for a hot loop that reuses one buffer:
// it appends the order's lines to dst and returns the extended slice, with
// the same lines, values and errors as Map. On an error it appends
// nothing and returns dst unchanged in length (the whole order is held),
// with the same error as Map; what it wrote past that length is zeroed, so
// dst's array holds nothing of the order.
//
// With room in dst for the order's lines, MapInto allocates only what
// cannot be had otherwise: the volumes of a line that earns five units or
// more (one product for each distinct volume, two allocations; the
// catalog holds every volume times 2, 3 and 4, computed when it was
// built), a
// refunded order's nets (normalize.Commissionable), what a kit line needs
// to split its net, and errors. A line that earns one unit or none, or is
// non-commissionable, allocates nothing.
//
// Reusing dst (dst[:0]) overwrites the Mapped values in its array and
// nothing else: their strings and decimals belong to the order, the
// catalog or themselves, never to dst, so a decimal copied out of an
// earlier result stays as it was. One dst must not be used by two
// goroutines at once; the Catalog may be.
func (c *Catalog) MapInto(dst []Mapped, o *normalize.Order) ([]Mapped, error) {
	start := len(dst)
	dst = slices.Grow(dst, len(o.Items)) // exact unless the order has kits
	t := instant(o.OrderTS)
	paid := o.Status == normalize.StatusPaid || o.Status == normalize.StatusPartiallyRefunded

	// Refunds: the nets come from normalize.Commissionable, the only place
	// they are computed; units refunded per line are counted by scanning
	// the refunds, or through a map when that would take long.
	var nets []decimal.Decimal
	var refunded map[string]int64
	if paid && len(o.Refunds) > 0 {
		nets = normalize.Commissionable(o)
		n := 0
		for _, r := range o.Refunds {
			n += len(r.Items)
		}
		if n*len(o.Items) > maxRefundScan {
			refunded = make(map[string]int64, n)
			for _, r := range o.Refunds {
				for _, rl := range r.Items {
					refunded[rl.LineID] = satAdd(refunded[rl.LineID], max(rl.Qty, 0))
				}
			}
		}
	}

	var errs []error
	for i := range o.Items {
		l := &o.Items[i]
		fail := func(k Key, tried []Key, err error) {
			errs = append(errs, &MapError{
				Platform: o.Platform, Store: o.Store, OrderID: o.PlatformOrderID,
				LineID: l.LineID, Line: i, Key: k, Tried: tried, At: o.OrderTS, Err: err,
			})
		}
		var cands [4]Key
		keys := candidates(o, l, cands[:0])
		f := c.lookupFirst(keys, t)
		k := f.key
		if f.err != nil {
			switch {
			case errors.Is(f.err, ErrNotInForce):
				fail(k, nil, f.err)
			case len(keys) == 0:
				fail(k, nil, fmt.Errorf("%w: the line has neither a platform SKU nor a variant id", f.err))
			default:
				fail(k, append([]Key(nil), keys...), f.err)
			}
			continue
		}
		v := &c.vers[f.v]
		if l.Qty < 0 {
			fail(k, nil, fmt.Errorf("%w: negative quantity %d", normalize.ErrInvalid, l.Qty))
			continue
		}
		earning := int64(0)
		net := decimal.Zero
		if paid {
			switch {
			case len(o.Refunds) == 0:
				earning = l.Qty
				if net = l.Net; net.IsNegative() { // as normalize.Commissionable
					net = decimal.Zero
				}
			case refunded != nil:
				earning = max(l.Qty-refunded[l.LineID], 0)
				net = nets[i]
			default:
				earning = max(l.Qty-refundedUnits(o, l.LineID), 0)
				net = nets[i]
			}
		}
		if !v.IsKit() {
			m := mapped(l, i, NoComponent, k, v, Ref{}, v.NonCommissionable, l.Qty, earning)
			if !m.NonCommissionable {
				m.PV, m.QV, m.CV = c.scaleUnits(f.v, v, earning)
				m.Net = net
			}
			dst = append(dst, m)
			continue
		}

		digits, ok := normalize.MinorUnits(o.Currency)
		if !ok {
			fail(k, nil, fmt.Errorf("%w: unknown currency %q, needed to split kit %q's net", normalize.ErrInvalid, o.Currency, v.ID))
			continue
		}
		kx := c.kits[f.v]
		parts, err := normalize.Allocate(net, kx.shares, digits)
		if err != nil {
			fail(k, nil, err)
			continue
		}
		kitRef := Ref{ID: v.ID, EffectiveFrom: v.EffectiveFrom}
		var pv, qv, cv decimal.Decimal
		if !v.NonCommissionable {
			pv, qv, cv = scale(v.PV, v.QV, v.CV, decimal.NewFromInt(earning))
		}
		kitStart := len(dst)
		for j, comp := range v.Components {
			cs := kx.comps[j]
			cvi := latest(c.verAt[cs.lo:cs.hi], t)
			if cvi < 0 { // New forbids it: components are in force whenever their kit is
				clear(dst[kitStart:])
				dst = dst[:kitStart]
				fail(k, nil, fmt.Errorf("%w: component %q of kit %q", ErrNotInForce, comp.SKU, v.ID))
				break
			}
			cvers := &c.vers[int(cs.lo)+cvi]
			qty, ok1 := mul(l.Qty, comp.Qty)
			eq, ok2 := mul(earning, comp.Qty)
			if !ok1 || !ok2 {
				clear(dst[kitStart:])
				dst = dst[:kitStart]
				fail(k, nil, fmt.Errorf("%w: %d kits × %d of component %q overflows", normalize.ErrInvalid, l.Qty, comp.Qty, comp.SKU))
				break
			}
			m := mapped(l, i, j, k, cvers, kitRef, v.NonCommissionable || cvers.NonCommissionable, qty, eq)
			if !m.NonCommissionable {
				m.PV, m.QV, m.CV = scale(pv, qv, cv, comp.Share)
				m.Net = parts[j]
			}
			dst = append(dst, m)
		}
	}
	if len(errs) > 0 {
		clear(dst[start:]) // drop what the lines hold, for the collector
		return dst[:start], errors.Join(errs...)
	}
	return dst, nil
}

// maxRefundScan bounds lines × refund lines for counting refunded units
// by scanning the refunds once per line; above it, MapInto builds a map.
const maxRefundScan = 256

// refundedUnits returns the units o's refunds take back from the line(s)
// with id lineID, as MapInto's map would count them.
func refundedUnits(o *normalize.Order, lineID string) int64 {
	n := int64(0)
	for _, r := range o.Refunds {
		for _, rl := range r.Items {
			if rl.LineID == lineID {
				n = satAdd(n, max(rl.Qty, 0))
			}
		}
	}
	return n
}

// scaleUnits returns the volumes of version vi (v, commissionable and not
// a kit) times earning units, as scale(pv, qv, cv,
// decimal.NewFromInt(earning)) does, allocating only when it must: for one
// unit the products are the volumes themselves, for none they are zeros
// with the volumes' exponents, which need no memory of their own, and for
// 2 to maxUnits units they are the products the catalog computed when it
// was built (decimals are immutable, so results share them): equal in
// value and exponent to what scale computes, since a product of decimals
// keeps the multiplicand's exponent when the multiplier's is 0.
func (c *Catalog) scaleUnits(vi int32, v *Version, earning int64) (p, q, r decimal.Decimal) {
	pv, qv, cv := v.PV, v.QV, v.CV
	switch {
	case earning == 1:
		if pv != (decimal.Decimal{}) && qv != (decimal.Decimal{}) && cv != (decimal.Decimal{}) {
			return pv, qv, cv // per unit × 1, as it is
		}
	case earning == 0:
		return zeroAt(pv), zeroAt(qv), zeroAt(cv)
	case earning >= 2 && earning <= maxUnits:
		if u := c.units[vi]; u[0] >= 0 && u[1] >= 0 && u[2] >= 0 {
			n := earning - 2
			return c.prods[u[0]][n], c.prods[u[1]][n], c.prods[u[2]][n]
		}
	}
	return scale(pv, qv, cv, decimal.NewFromInt(earning))
}

// zeroAt returns 0 with d's exponent, as d.Mul(decimal.NewFromInt(0))
// would, without allocating (decimal shares one zero coefficient).
func zeroAt(d decimal.Decimal) decimal.Decimal {
	return decimal.Decimal{}.Shift(d.Exponent())
}

// found is a line's lookup: the version's index in vers and the key that
// matched (on ErrUnknownSKU, the line's most specific key, if any).
type found struct {
	key Key
	v   int32
	err error
}

// mapped builds one result with zero volumes and net, for the caller to
// fill unless nonComm.
func mapped(l *normalize.Line, line, comp int, k Key, v *Version, kit Ref, nonComm bool, qty, earning int64) Mapped {
	return Mapped{
		LineID:            l.LineID,
		Line:              line,
		Component:         comp,
		Key:               k,
		SKU:               Ref{ID: v.ID, EffectiveFrom: v.EffectiveFrom},
		Kit:               kit,
		Class:             v.Class,
		NonCommissionable: nonComm,
		Qty:               qty,
		EarningQty:        earning,
		PV:                decimal.Zero,
		QV:                decimal.Zero,
		CV:                decimal.Zero,
		Net:               decimal.Zero,
	}
}

// scale returns pv, qv and cv times f. Equal volumes are shared (see
// same), so a product is computed, and allocated, once for all of them.
func scale(pv, qv, cv, f decimal.Decimal) (p, q, r decimal.Decimal) {
	p = pv.Mul(f)
	q = p
	if qv != pv {
		q = qv.Mul(f)
	}
	switch cv {
	case pv:
		r = p
	case qv:
		r = q
	default:
		r = cv.Mul(f)
	}
	return p, q, r
}

// candidates appends the keys a line is looked up by, most specific first.
func candidates(o *normalize.Order, l *normalize.Line, dst []Key) []Key {
	if l.VariantID != "" {
		dst = append(dst, Key{Platform: o.Platform, Store: o.Store, Kind: KindVariant, Value: l.VariantID})
		if o.Store != "" {
			dst = append(dst, Key{Platform: o.Platform, Kind: KindVariant, Value: l.VariantID})
		}
	}
	if l.PlatformSKU != "" {
		dst = append(dst, Key{Platform: o.Platform, Store: o.Store, Kind: KindSKU, Value: l.PlatformSKU})
		if o.Store != "" {
			dst = append(dst, Key{Platform: o.Platform, Kind: KindSKU, Value: l.PlatformSKU})
		}
	}
	return dst
}

// lookupFirst resolves the first of keys the catalog holds.
func (c *Catalog) lookupFirst(keys []Key, t int64) found {
	for i := range keys {
		if r := c.findKey(&keys[i]); r != nil {
			v, err := c.resolve(r, t)
			return found{key: keys[i], v: v, err: err}
		}
	}
	f := found{v: -1, err: ErrUnknownSKU}
	if len(keys) > 0 {
		f.key = keys[0]
	}
	return f
}

func mul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if a < 0 || b < 0 || p/b != a {
		return 0, false
	}
	return p, true
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
