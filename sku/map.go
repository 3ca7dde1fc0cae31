package sku

import (
	"errors"
	"fmt"
	"math"
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
func (c *Catalog) Map(o *normalize.Order) ([]Mapped, error) {
	t := instant(o.OrderTS)

	// First every line's version, to size the result once.
	var buf [16]found
	res := buf[:0]
	if len(o.Items) > len(buf) {
		res = make([]found, 0, len(o.Items))
	}
	rows := 0
	for i := range o.Items {
		var cands [4]Key
		keys := candidates(o, &o.Items[i], cands[:0])
		f := c.lookupFirst(keys, t)
		if f.err == nil {
			rows += max(len(c.vers[f.v].Components), 1)
		}
		res = append(res, f)
	}

	nets := normalize.Commissionable(o)
	paid := o.Status == normalize.StatusPaid || o.Status == normalize.StatusPartiallyRefunded
	var refunded map[string]int64
	if paid && len(o.Refunds) > 0 {
		refunded = make(map[string]int64)
		for _, r := range o.Refunds {
			for _, rl := range r.Items {
				refunded[rl.LineID] = satAdd(refunded[rl.LineID], max(rl.Qty, 0))
			}
		}
	}

	out := make([]Mapped, 0, rows)
	var errs []error
	for i := range o.Items {
		l := &o.Items[i]
		fail := func(k Key, tried []Key, err error) {
			errs = append(errs, &MapError{
				Platform: o.Platform, Store: o.Store, OrderID: o.PlatformOrderID,
				LineID: l.LineID, Line: i, Key: k, Tried: tried, At: o.OrderTS, Err: err,
			})
		}
		f := &res[i]
		k := f.key
		if f.err != nil {
			var cands [4]Key
			tried := candidates(o, l, cands[:0])
			switch {
			case errors.Is(f.err, ErrNotInForce):
				fail(k, nil, f.err)
			case len(tried) == 0:
				fail(k, nil, fmt.Errorf("%w: the line has neither a platform SKU nor a variant id", f.err))
			default:
				fail(k, append([]Key(nil), tried...), f.err)
			}
			continue
		}
		v := &c.vers[f.v]
		if l.Qty < 0 {
			fail(k, nil, fmt.Errorf("%w: negative quantity %d", normalize.ErrInvalid, l.Qty))
			continue
		}
		earning := int64(0)
		if paid {
			earning = max(l.Qty-refunded[l.LineID], 0)
		}
		if !v.IsKit() {
			m := mapped(l, i, NoComponent, k, v, Ref{}, v.NonCommissionable, l.Qty, earning)
			if !m.NonCommissionable {
				m.PV, m.QV, m.CV = v.PV, v.QV, v.CV // per unit × 1, as it is
				if earning != 1 || v.PV == (decimal.Decimal{}) || v.QV == (decimal.Decimal{}) || v.CV == (decimal.Decimal{}) {
					m.PV, m.QV, m.CV = scale(v.PV, v.QV, v.CV, decimal.NewFromInt(earning))
				}
				m.Net = nets[i]
			}
			out = append(out, m)
			continue
		}

		digits, ok := normalize.MinorUnits(o.Currency)
		if !ok {
			fail(k, nil, fmt.Errorf("%w: unknown currency %q, needed to split kit %q's net", normalize.ErrInvalid, o.Currency, v.ID))
			continue
		}
		kx := c.kits[f.v]
		parts, err := normalize.Allocate(nets[i], kx.shares, digits)
		if err != nil {
			fail(k, nil, err)
			continue
		}
		kitRef := Ref{ID: v.ID, EffectiveFrom: v.EffectiveFrom}
		var pv, qv, cv decimal.Decimal
		if !v.NonCommissionable {
			pv, qv, cv = scale(v.PV, v.QV, v.CV, decimal.NewFromInt(earning))
		}
		start := len(out)
		for j, comp := range v.Components {
			cs := kx.comps[j]
			cvi := latest(c.verAt[cs.lo:cs.hi], t)
			if cvi < 0 { // New forbids it: components are in force whenever their kit is
				out = out[:start]
				fail(k, nil, fmt.Errorf("%w: component %q of kit %q", ErrNotInForce, comp.SKU, v.ID))
				break
			}
			cvers := &c.vers[int(cs.lo)+cvi]
			qty, ok1 := mul(l.Qty, comp.Qty)
			eq, ok2 := mul(earning, comp.Qty)
			if !ok1 || !ok2 {
				out = out[:start]
				fail(k, nil, fmt.Errorf("%w: %d kits × %d of component %q overflows", normalize.ErrInvalid, l.Qty, comp.Qty, comp.SKU))
				break
			}
			m := mapped(l, i, j, k, cvers, kitRef, v.NonCommissionable || cvers.NonCommissionable, qty, eq)
			if !m.NonCommissionable {
				m.PV, m.QV, m.CV = scale(pv, qv, cv, comp.Share)
				m.Net = parts[j]
			}
			out = append(out, m)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
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
