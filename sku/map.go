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

	out := make([]Mapped, 0, len(o.Items))
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
		tried := candidates(o, l, cands[:0])
		k, v, err := c.lookupFirst(tried, t)
		if err != nil {
			switch {
			case errors.Is(err, ErrNotInForce):
				fail(k, nil, err)
			case len(tried) == 0:
				fail(k, nil, fmt.Errorf("%w: the line has neither a platform SKU nor a variant id", err))
			default:
				fail(k, append([]Key(nil), tried...), err)
			}
			continue
		}
		if l.Qty < 0 {
			fail(k, nil, fmt.Errorf("%w: negative quantity %d", normalize.ErrInvalid, l.Qty))
			continue
		}
		earning := int64(0)
		if paid {
			earning = max(l.Qty-refunded[l.LineID], 0)
		}
		if !v.IsKit() {
			out = append(out, mapped(l, i, NoComponent, k, v, Ref{}, v.NonCommissionable, l.Qty, earning, v.PV, v.QV, v.CV, decimal.NewFromInt(earning), nets[i]))
			continue
		}

		digits, ok := normalize.MinorUnits(o.Currency)
		if !ok {
			fail(k, nil, fmt.Errorf("%w: unknown currency %q, needed to split kit %q's net", normalize.ErrInvalid, o.Currency, v.ID))
			continue
		}
		shares := make([]decimal.Decimal, len(v.Components))
		for j, comp := range v.Components {
			shares[j] = comp.Share
		}
		parts, err := normalize.Allocate(nets[i], shares, digits)
		if err != nil {
			fail(k, nil, err)
			continue
		}
		kit := Ref{ID: v.ID, EffectiveFrom: v.EffectiveFrom}
		kits := decimal.NewFromInt(earning)
		pv, qv, cv := v.PV.Mul(kits), v.QV.Mul(kits), v.CV.Mul(kits)
		start := len(out)
		for j, comp := range v.Components {
			cvers, ok := c.version(comp.SKU, t)
			if !ok { // New forbids it: components are in force whenever their kit is
				out = out[:start]
				fail(k, nil, fmt.Errorf("%w: component %q of kit %q", ErrNotInForce, comp.SKU, v.ID))
				break
			}
			qty, ok1 := mul(l.Qty, comp.Qty)
			eq, ok2 := mul(earning, comp.Qty)
			if !ok1 || !ok2 {
				out = out[:start]
				fail(k, nil, fmt.Errorf("%w: %d kits × %d of component %q overflows", normalize.ErrInvalid, l.Qty, comp.Qty, comp.SKU))
				break
			}
			nonComm := v.NonCommissionable || cvers.NonCommissionable
			out = append(out, mapped(l, i, j, k, cvers, kit, nonComm, qty, eq, pv, qv, cv, comp.Share, parts[j]))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// mapped builds one result; volumes are per-unit (or per-kit) values times
// factor, and zero with the net when nonComm.
func mapped(l *normalize.Line, line, comp int, k Key, v *Version, kit Ref, nonComm bool, qty, earning int64, pv, qv, cv, factor, net decimal.Decimal) Mapped {
	m := Mapped{
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
	if !nonComm {
		m.PV, m.QV, m.CV = pv.Mul(factor), qv.Mul(factor), cv.Mul(factor)
		m.Net = net
	}
	return m
}

// candidates appends the keys a line is looked up by, most specific first.
func candidates(o *normalize.Order, l *normalize.Line, dst []Key) []Key {
	for _, kv := range []struct {
		kind  Kind
		value string
	}{{KindVariant, l.VariantID}, {KindSKU, l.PlatformSKU}} {
		if kv.value == "" {
			continue
		}
		dst = append(dst, Key{Platform: o.Platform, Store: o.Store, Kind: kv.kind, Value: kv.value})
		if o.Store != "" {
			dst = append(dst, Key{Platform: o.Platform, Kind: kv.kind, Value: kv.value})
		}
	}
	return dst
}

// lookupFirst resolves the first of keys the catalog holds.
func (c *Catalog) lookupFirst(keys []Key, t int64) (Key, *Version, error) {
	for i := range keys {
		if r := c.findKey(&keys[i]); r != nil {
			v, err := c.resolve(r, t)
			if err != nil {
				return keys[i], nil, err
			}
			return keys[i], &c.vers[v], nil
		}
	}
	var first Key
	if len(keys) > 0 {
		first = keys[0]
	}
	return first, nil, ErrUnknownSKU
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
