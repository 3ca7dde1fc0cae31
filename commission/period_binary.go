package commission

import (
	"encoding/json"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// periodBinary is the "binary" period rule: a rate on the volume matched
// between the two legs of the placement tree, in cycles or continuously,
// with the unmatched volume carried to the next period, a cap per
// period by paid-as rank, and a flush when a member does not qualify. See
// the package overview, Period bonuses.
type periodBinary struct {
	name  string
	basis Basis
	rates byRank[int64]
	// cycleL and cycleR are the volumes one cycle takes from the left
	// and the right leg (volScale); zero: volume matches continuously.
	cycleL, cycleR  int64
	caps            byRank[int64] // per period, minor units of 10^-capScale
	capScale        int8
	hasCap          bool
	maxCarry        int64 // volScale; zero: no limit
	qualify         periodQualify
	keepUnqualified bool // "unqualified": "carry": keep the volume, pay nothing
}

func (b *periodBinary) Name() string { return b.name }

func readPeriodBinary(name string, o *object, _ *PeriodPlan, rs rates) (PeriodRule, error) {
	b := &periodBinary{name: name}
	var err error
	if b.basis, err = readVolumeBasis(o); err != nil {
		return nil, err
	}
	raw, ok := o.get("rates_by_rank")
	if !ok {
		return nil, o.absent("rates_by_rank")
	}
	if b.rates, err = readByRank(raw, join(o.path, "rates_by_rank"), rs.rate); err != nil {
		return nil, err
	}
	if raw, ok := o.get("cycle"); ok {
		path := join(o.path, "cycle")
		cy, err := readObject(raw, path)
		if err != nil {
			return nil, err
		}
		cy.fields = []string{"left", "right"}
		for _, side := range []struct {
			key string
			to  *int64
		}{{"left", &b.cycleL}, {"right", &b.cycleR}} {
			raw, ok := cy.get(side.key)
			if !ok {
				return nil, cy.absent(side.key)
			}
			if *side.to, err = readFixedVolume(raw, join(path, side.key), false); err != nil {
				return nil, err
			}
		}
		if err := cy.done(); err != nil {
			return nil, err
		}
	}
	if raw, ok := o.get("cap_by_rank"); ok {
		read := func(raw json.RawMessage, path string) (int64, error) { return readFixedVolume(raw, path, true) }
		if b.caps, err = readByRank(raw, join(o.path, "cap_by_rank"), read); err != nil {
			return nil, err
		}
		b.hasCap, b.capScale = true, volScale
	}
	if raw, ok := o.get("max_carry"); ok {
		if b.maxCarry, err = readFixedVolume(raw, join(o.path, "max_carry"), false); err != nil {
			return nil, err
		}
	}
	if b.qualify, err = readPeriodQualify(o); err != nil {
		return nil, err
	}
	switch s, err := o.str("unqualified", false); {
	case err != nil:
		return nil, err
	case s == "" || s == "flush":
	case s == "carry":
		b.keepUnqualified = true
	default:
		return nil, planErr(join(o.path, "unqualified"), "want flush or carry, not %q", s)
	}
	return b, nil
}

// readFixedVolume reads a volume (or, for a cap, an amount) as the plan's
// other volumes are read, in units of 10^-volScale: above zero, or zero
// too when zeroOK.
func readFixedVolume(raw json.RawMessage, path string, zeroOK bool) (int64, error) {
	d, err := readVolume(raw, path)
	if err != nil {
		return 0, err
	}
	if d.IsZero() && !zeroOK {
		return 0, planErr(path, "want a volume above 0")
	}
	v, _ := volumeFixed(d)
	return v, nil
}

// ApplyPeriod sums each member's new volume on its left and right legs of
// the placement tree, adds what the previous close carried, matches them
// and pays; what is left is carried to the next period.
func (b *periodBinary) ApplyPeriod(c *PeriodContext) error {
	st := c.st
	vol := periodVolumes(st, b.basis)
	// newVol[2m] and newVol[2m+1] are m's new left and right volume:
	// each child's whole placement subtree, summed children first.
	sub := make([]int64, st.n)
	newVol := make([]int64, 2*st.n)
	for _, x := range placementOrder(st) {
		sub[x] += vol[x]
		p, leg := st.parent[x], st.leg[x]
		if p < 0 {
			continue
		}
		sub[p] += sub[x]
		if leg == hierarchy.Left || leg == hierarchy.Right {
			newVol[2*int(p)+int(leg)-1] += sub[x]
		}
	}
	name := c.ruleName()
	if st.carryOut == nil {
		// About one carry a member: grown once, not by doubling.
		st.carryOut = make(map[carryKey]int64, st.n)
	}
	for m := int32(0); int(m) < st.n; m++ {
		if !st.in[m] {
			continue
		}
		inL := st.carryIn[carryKey{name, m, hierarchy.Left}]
		inR := st.carryIn[carryKey{name, m, hierarchy.Right}]
		l, r := inL+newVol[2*m], inR+newVol[2*m+1]
		if l == 0 && r == 0 {
			continue
		}
		rate, _ := b.rates.lookup(st.rank[m])
		if !b.qualify.ok(st, m) || rate == 0 {
			// Not qualified, or a rank with no rate: nothing is paired.
			if b.keepUnqualified {
				b.carry(st, name, m, l, r)
			}
			continue // flushed: nothing carries
		}
		var cycles, ml, mr, basis int64
		switch {
		case l <= 0 || r <= 0:
			// A side without volume pairs nothing; one in deficit
			// (refunds counted in the period) carries the deficit.
		case b.cycleL > 0:
			cycles = min(l/b.cycleL, r/b.cycleR)
			ml, mr = cycles*b.cycleL, cycles*b.cycleR
			basis = cycles * min(b.cycleL, b.cycleR)
		default:
			ml, mr = min(l, r), min(l, r)
			basis = ml
		}
		b.carry(st, name, m, l-ml, r-mr)
		if basis == 0 {
			continue
		}
		vd := func(v int64) decimal.Decimal {
			if v == 0 {
				return decimal.Zero // shared: a zero needs no allocation
			}
			return decimal.New(v, -volScale)
		}
		figs := []Figure{
			{Name: "left_carried", Value: vd(inL)}, {Name: "right_carried", Value: vd(inR)},
			{Name: "left_new", Value: vd(newVol[2*m])}, {Name: "right_new", Value: vd(newVol[2*m+1])},
			{Name: "left_matched", Value: vd(ml)}, {Name: "right_matched", Value: vd(mr)},
		}
		if b.cycleL > 0 {
			figs = append(figs, Figure{Name: "cycles", Value: decimal.NewFromInt(cycles)})
		}
		bf := fixed{v: basis, scale: volScale}
		if b.hasCap {
			capV, _ := b.caps.lookup(st.rank[m])
			capMinor, ok := rescale(fixed{v: capV, scale: b.capScale}, c.digits)
			if !ok {
				return &Error{Rule: b.name, Why: "cap " + decimal.New(capV, -int32(b.capScale)).String() + " has more places than the currency", Err: ErrInvalid}
			}
			rd := newRounder(bf, c.digits, c.plan.Rounding)
			amt, ok := rd.round(rate)
			if !ok {
				return &Error{Rule: b.name, Why: "binary amount out of range", Err: ErrOverflow}
			}
			if amt > capMinor {
				// The cap pays exactly: it is paid as its own basis at
				// rate 1; the matched volume and rate are in the figures.
				figs = append(figs,
					Figure{Name: "rate", Value: decimal.New(rate, -rateDigits)},
					Figure{Name: "uncapped", Value: decimal.New(amt, -c.digits)},
					Figure{Name: "cap", Value: decimal.New(capMinor, -c.digits)})
				if err := c.pay(m, int32(hierarchy.None), 0, 0, fixed{v: capMinor, scale: int8(c.digits)}, rateOne, figs); err != nil {
					return err
				}
				continue
			}
			figs = append(figs, Figure{Name: "cap", Value: decimal.New(capMinor, -c.digits)})
		}
		if err := c.pay(m, int32(hierarchy.None), 0, 0, bf, rate, figs); err != nil {
			return err
		}
	}
	return nil
}

// carry records what m carries to the next period, each leg at most
// max_carry.
func (b *periodBinary) carry(st *periodState, rule string, m int32, l, r int64) {
	if b.maxCarry > 0 {
		l, r = min(l, b.maxCarry), min(r, b.maxCarry)
	}
	// The close starts with nothing carried out: a zero needs no entry.
	if l != 0 {
		st.setCarry(carryKey{rule, m, hierarchy.Left}, l)
	}
	if r != 0 {
		st.setCarry(carryKey{rule, m, hierarchy.Right}, r)
	}
}

// placementOrder returns every member, children before parents in the
// placement tree: by depth, deepest first, then index.
func placementOrder(st *periodState) []int32 {
	depth := make([]int32, st.n)
	for i := range depth {
		depth[i] = -1
	}
	var path []int32
	maxD := int32(0)
	for m := int32(0); int(m) < st.n; m++ {
		a := m
		for a >= 0 && depth[a] < 0 {
			path = append(path, a)
			a = st.parent[a]
		}
		d := int32(-1)
		if a >= 0 {
			d = depth[a]
		}
		for i := len(path) - 1; i >= 0; i-- {
			d++
			depth[path[i]] = d
		}
		maxD = max(maxD, d)
		path = path[:0]
	}
	count := make([]int32, maxD+2)
	for m := range depth {
		count[maxD-depth[m]+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	out := make([]int32, count[len(count)-1])
	for m := int32(0); int(m) < st.n; m++ {
		k := maxD - depth[m]
		out[count[k]] = m
		count[k]++
	}
	return out
}
