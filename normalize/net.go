package normalize

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
)

// This file is the one place where commissionable net amounts are computed.

// ComputeNets sets every line's Net from its Gross, Discount and Tax, after
// spreading orderDiscount — a discount the platform applied to the order
// without allocating it to lines, such as a negative fee — over the lines in
// proportion to their value (see Allocate). Each line's share is added to
// its Discount, so Discount always says everything the line was discounted
// by. Then the order is validated.
//
// A line's net is Gross − Discount, less the line's Tax when the order's
// gross amounts include tax. Shipping and positive fees are never part of
// any line, so they never earn commission.
//
// Decoders call ComputeNets once per order, after filling the lines with the
// platform's own figures; orderDiscount is a positive amount or zero, and
// discountPath the JSON path it was read from (WooCommerce's "fee_lines",
// Magento's "base_discount_amount"), which errors about it name.
func ComputeNets(o *Order, orderDiscount decimal.Decimal, discountPath string) error {
	if orderDiscount.IsNegative() {
		return errorf(o, "", discountPath, fmt.Errorf("%w: order-level discount %s is negative", ErrInvalid, orderDiscount))
	}
	if !orderDiscount.IsZero() {
		digits, ok := MinorUnits(o.Currency)
		if !ok {
			return errorf(o, "", "currency", fmt.Errorf("%w: unknown currency %q", ErrInvalid, o.Currency))
		}
		weights := make([]decimal.Decimal, len(o.Items))
		value := decimal.Zero
		for i := range o.Items {
			weights[i] = lineNet(&o.Items[i], o.GrossIncludesTax)
			if weights[i].IsNegative() {
				return errorf(o, o.Items[i].LineID, "", fmt.Errorf("%w: discount and tax exceed the line's gross %s", ErrInvalid, o.Items[i].Gross))
			}
			value = fixedpoint.Add(value, weights[i])
		}
		if orderDiscount.GreaterThan(value) {
			return errorf(o, "", discountPath, fmt.Errorf("%w: order-level discount %s exceeds the lines' value %s", ErrInvalid, orderDiscount, value))
		}
		shares, err := Allocate(orderDiscount, weights, digits)
		if err != nil {
			return errorf(o, "", discountPath, err)
		}
		for i := range o.Items {
			o.Items[i].Discount = fixedpoint.Add(o.Items[i].Discount, shares[i])
		}
	}
	for i := range o.Items {
		o.Items[i].Net = lineNet(&o.Items[i], o.GrossIncludesTax)
	}
	return Validate(o)
}

// lineNet is the net formula itself; Validate holds canonical orders to it.
func lineNet(l *Line, grossIncludesTax bool) decimal.Decimal {
	net := fixedpoint.Sub(l.Gross, l.Discount)
	if grossIncludesTax {
		net = fixedpoint.Sub(net, l.Tax)
	}
	return net
}

// Allocate splits total into parts proportional to weights, each a whole
// number of minor units (digits places), so that the parts sum exactly to
// total. Every part first gets the floor of its exact share; the units left
// over go one each to the parts with the largest remainders, ties to the
// earlier part. total must be a whole number of minor units and weights
// must not be negative; when every weight is zero the whole total goes to
// no part and Allocate fails unless total is zero.
func Allocate(total decimal.Decimal, weights []decimal.Decimal, digits int32) ([]decimal.Decimal, error) {
	parts := make([]decimal.Decimal, len(weights))
	for i := range parts {
		parts[i] = decimal.Zero
	}
	units := total.Shift(digits)
	if !units.IsInteger() {
		return nil, fmt.Errorf("%w: %s is not a whole number of minor units", ErrInvalid, total)
	}
	if units.IsZero() {
		return parts, nil
	}
	negative := units.IsNegative()
	t := units.Abs().BigInt()

	// Bring every weight to one integer scale so the shares are exact.
	exp := int32(0)
	for _, w := range weights {
		if w.IsNegative() {
			return nil, fmt.Errorf("%w: negative allocation weight %s", ErrInvalid, w)
		}
		exp = min(exp, w.Exponent())
	}
	ws := make([]*big.Int, len(weights))
	sum := new(big.Int)
	for i, w := range weights {
		ws[i] = w.Shift(-exp).BigInt()
		sum.Add(sum, ws[i])
	}
	if sum.Sign() == 0 {
		return nil, fmt.Errorf("%w: cannot allocate %s over lines worth nothing", ErrInvalid, total)
	}

	type remainder struct {
		index int
		rem   *big.Int
	}
	rems := make([]remainder, len(weights))
	given := new(big.Int)
	quo := make([]*big.Int, len(weights))
	for i := range ws {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(t, ws[i]), sum, new(big.Int))
		quo[i] = q
		given.Add(given, q)
		rems[i] = remainder{index: i, rem: r}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].rem.Cmp(rems[b].rem) > 0 })
	left := new(big.Int).Sub(t, given).Int64() // < len(weights)
	for k := int64(0); k < left; k++ {
		quo[rems[k].index].Add(quo[rems[k].index], big.NewInt(1))
	}
	for i, q := range quo {
		if negative {
			q.Neg(q)
		}
		parts[i] = decimal.NewFromBigInt(q, -digits)
	}
	return parts, nil
}

// Commissionable returns, line by line in the order of o.Items, the net
// that earns commission now: the line's Net less everything the order's
// refunds took back from it. Only paid value earns commission, so an order
// that is pending, cancelled, voided or refunded earns nothing on any line.
func Commissionable(o *Order) []decimal.Decimal {
	nets := make([]decimal.Decimal, len(o.Items))
	paid := o.Status == StatusPaid || o.Status == StatusPartiallyRefunded
	index := make(map[string]int, len(o.Items))
	for i := range o.Items {
		index[o.Items[i].LineID] = i
		nets[i] = decimal.Zero
		if paid {
			nets[i] = o.Items[i].Net
		}
	}
	if !paid {
		return nets
	}
	for _, r := range o.Refunds {
		for _, rl := range r.Items {
			if i, ok := index[rl.LineID]; ok {
				nets[i] = fixedpoint.Sub(nets[i], rl.Net)
			}
		}
	}
	for i := range nets {
		if nets[i].IsNegative() { // Validate forbids it; never pay below zero regardless
			nets[i] = decimal.Zero
		}
	}
	return nets
}
