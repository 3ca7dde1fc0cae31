package commission

import (
	"cmp"
	"encoding/json"
	"math/bits"
	"slices"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// periodPool is the "pool" period rule: a share of the company's period
// volume, split among the qualifying members by their paid-as rank's
// shares. See the package overview, Period bonuses.
type periodPool struct {
	name    string
	basis   Basis
	share   int64 // of the company volume, 10^-9
	shares  byRank[int64]
	qualify periodQualify
}

func (p *periodPool) Name() string { return p.name }

func readPeriodPool(name string, o *object, _ *PeriodPlan, rs rates) (PeriodRule, error) {
	p := &periodPool{name: name}
	var err error
	if p.basis, err = readVolumeBasis(o); err != nil {
		return nil, err
	}
	raw, ok := o.get("share")
	if !ok {
		return nil, o.absent("share")
	}
	if p.share, err = rs.rate(raw, join(o.path, "share")); err != nil {
		return nil, err
	}
	raw, ok = o.get("shares_by_rank")
	if !ok {
		return nil, o.absent("shares_by_rank")
	}
	read := func(raw json.RawMessage, path string) (int64, error) { return readInt(raw, path, 0, 1_000_000) }
	if p.shares, err = readByRank(raw, join(o.path, "shares_by_rank"), read); err != nil {
		return nil, err
	}
	if p.qualify, err = readPeriodQualify(o); err != nil {
		return nil, err
	}
	return p, nil
}

// ApplyPeriod rounds share × the company volume (every member's own
// volume) once to the minor unit, and splits it among the qualifiers in
// proportion to their shares: each its floor part, the minor units left
// over to the largest remainders, ties to the lower member index, so the
// parts sum to the pool exactly.
func (p *periodPool) ApplyPeriod(c *PeriodContext) error {
	st := c.st
	vol := periodVolumes(st, p.basis)
	var company int64
	for _, x := range st.order {
		n := company + vol[x]
		if (vol[x] > 0 && n < company) || (vol[x] < 0 && n > company) {
			return &Error{Rule: p.name, Why: "company volume out of range", Err: ErrOverflow}
		}
		company = n
	}
	if company <= 0 {
		return nil
	}
	rd := newRounder(fixed{v: company, scale: volScale}, c.digits, c.plan.Rounding)
	pool, ok := rd.round(p.share)
	if !ok {
		return &Error{Rule: p.name, Why: "pool out of range", Err: ErrOverflow}
	}
	var who []int32
	var weights []int64
	for m := int32(0); int(m) < st.n; m++ {
		if !st.in[m] || !p.qualify.ok(st, m) {
			continue
		}
		if s, _ := p.shares.lookup(st.rank[m]); s > 0 {
			who = append(who, m)
			weights = append(weights, s)
		}
	}
	parts, total := allocateMinor(pool, weights)
	if total == 0 {
		return nil
	}
	figs := newFigureCache(func(shares int64) []Figure {
		return []Figure{
			{Name: "company_volume", Value: decimal.New(company, -volScale)},
			{Name: "pool", Value: decimal.New(pool, -c.digits)},
			{Name: "shares", Value: decimal.NewFromInt(shares)},
			{Name: "total_shares", Value: decimal.NewFromInt(total)},
		}
	})
	for i, m := range who {
		// The part is exact; it is paid as its own basis at rate 1.
		if err := c.pay(m, int32(hierarchy.None), 0, 0, fixed{v: parts[i], scale: int8(c.digits)}, rateOne, figs.get(weights[i])); err != nil {
			return err
		}
	}
	return nil
}

// allocateMinor splits amount (minor units, ≥ 0) in proportion to
// weights (≥ 0): each part its floor share, the units left over one each
// to the largest remainders, ties to the earlier part. It returns the
// parts and the weights' sum; a zero sum allocates nothing.
func allocateMinor(amount int64, weights []int64) ([]int64, int64) {
	var sum int64
	for _, w := range weights {
		sum += w
	}
	parts := make([]int64, len(weights))
	if sum <= 0 || amount <= 0 {
		return parts, sum
	}
	type rem struct {
		r uint64
		i int
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		hi, lo := bits.Mul64(uint64(amount), uint64(w))
		q, r := bits.Div64(hi, lo, uint64(sum))
		parts[i] = int64(q)
		given += int64(q)
		rems[i] = rem{r, i}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.r, a.r) })
	for k := int64(0); k < amount-given; k++ {
		parts[rems[k].i]++
	}
	return parts, sum
}
