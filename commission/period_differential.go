package commission

import (
	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// periodDifferential is the "differential" period rule: each member earns
// its paid-as rank's rate on its group's period volume, less the rates
// already paid below it on that volume; a downline group that breaks away
// stops the differential and pays generation rates instead. See the
// package overview, Period bonuses.
type periodDifferential struct {
	name        string
	basis       Basis
	rates       byRank[int64]
	top         int64 // the highest rate: the walk stops there
	qualify     periodQualify
	includeSelf bool
	// breakaway: members qualifying and paid as breakRank or above;
	// generations are the rates paid on their net groups, nearest first.
	hasBreakaway bool
	breakRank    hierarchy.Rank
	generations  []int64
}

func (d *periodDifferential) Name() string { return d.name }

func readPeriodDifferential(name string, o *object, _ *PeriodPlan, rs rates) (PeriodRule, error) {
	d := &periodDifferential{name: name}
	var err error
	if d.basis, err = readVolumeBasis(o); err != nil {
		return nil, err
	}
	raw, ok := o.get("rates_by_rank")
	if !ok {
		return nil, o.absent("rates_by_rank")
	}
	if d.rates, err = readByRank(raw, join(o.path, "rates_by_rank"), rs.rate); err != nil {
		return nil, err
	}
	for _, r := range d.rates.vals {
		d.top = max(d.top, r)
	}
	if d.qualify, err = readPeriodQualify(o); err != nil {
		return nil, err
	}
	if d.includeSelf, err = o.boolean("include_self"); err != nil {
		return nil, err
	}
	if raw, ok := o.get("breakaway"); ok {
		path := join(o.path, "breakaway")
		b, err := readObject(raw, path)
		if err != nil {
			return nil, err
		}
		b.fields = []string{"min_rank", "generations"}
		n, _, err := b.integer("min_rank", true, 0, 65535)
		if err != nil {
			return nil, err
		}
		raw, ok := b.get("generations")
		if !ok {
			return nil, b.absent("generations")
		}
		if d.generations, err = rs.list(raw, join(path, "generations")); err != nil {
			return nil, err
		}
		if err := b.done(); err != nil {
			return nil, err
		}
		d.hasBreakaway, d.breakRank = true, hierarchy.Rank(n)
	}
	return d, nil
}

func (d *periodDifferential) rateOf(st *periodState, m int32) int64 {
	if !st.in[m] || !d.qualify.ok(st, m) {
		return 0
	}
	r, _ := d.rates.lookup(st.rank[m])
	return r
}

func (d *periodDifferential) breaksAway(st *periodState, m int32) bool {
	return d.hasBreakaway && st.in[m] && d.qualify.ok(st, m) && st.rank[m] >= d.breakRank
}

// ApplyPeriod pays, for every member's own volume, each member above it
// in the group tree whose rate exceeds the highest rate already paid on
// that volume the difference (one award per beneficiary and source),
// stopping at the top rate or at a member that breaks away. Then each
// breakaway's net group — its group's volume less that of the breakaway
// groups within it — pays the breakaways above it the generation rates.
func (d *periodDifferential) ApplyPeriod(c *PeriodContext) error {
	st := c.st
	vol := periodVolumes(st, d.basis)
	rates := newFigureCache(func(k [2]int64) []Figure {
		return []Figure{{Name: "rate", Value: decimal.New(k[0], -rateDigits)}, {Name: "paid_below", Value: decimal.New(k[1], -rateDigits)}}
	})
	// diffStep packs what the walk reads of a member into one memory
	// read: its group-tree parent, its rate (0 when it does not qualify)
	// and whether it breaks away.
	type diffStep struct {
		up     int32
		breaks bool
		rate   int64
	}
	h := make([]diffStep, st.n)
	for m := range h {
		h[m] = diffStep{up: st.up[m], rate: d.rateOf(st, int32(m)), breaks: d.breaksAway(st, int32(m))}
	}
	for _, x := range st.order {
		v := vol[x]
		if v == 0 || (!d.includeSelf && h[x].breaks) {
			// A breakaway's own volume is in its net group, paid as
			// generations above it.
			continue
		}
		paid, n := int64(0), 0
		a, lv := x, 0
		if !d.includeSelf {
			a, lv = h[x].up, 1
		}
		for ; a >= 0; a, lv = h[a].up, lv+1 {
			if r := h[a].rate; r > paid {
				pl := n + 1
				if lv == 0 {
					pl = 0
				}
				if err := c.pay(a, x, lv, pl, fixed{v: v, scale: volScale}, r-paid, rates.get([2]int64{r, paid})); err != nil {
					return err
				}
				paid, n = r, n+1
			}
			if paid >= d.top || h[a].breaks {
				break
			}
		}
	}
	if !d.hasBreakaway || len(d.generations) == 0 {
		return nil
	}
	// net[b] is breakaway b's net group: the volume whose nearest
	// breakaway at or above it is b. Parents come before children when
	// st.order is read backwards.
	near := make([]int32, st.n)
	for i := range near {
		near[i] = -1
	}
	net := make([]int64, st.n)
	for i := len(st.order) - 1; i >= 0; i-- {
		x := st.order[i]
		switch {
		case h[x].breaks:
			near[x] = x
		case h[x].up >= 0:
			near[x] = near[h[x].up]
		}
		if b := near[x]; b >= 0 {
			net[b] += vol[x]
		}
	}
	gens := newFigureCache(func(g int) []Figure { return []Figure{{Name: "generation", Value: decimal.NewFromInt(int64(g))}} })
	for b := range int32(st.n) {
		if !h[b].breaks || net[b] == 0 {
			continue
		}
		g := 0
		for a, lv := h[b].up, 1; a >= 0 && g < len(d.generations); a, lv = h[a].up, lv+1 {
			if !h[a].breaks {
				continue
			}
			g++
			if err := c.pay(a, b, lv, g, fixed{v: net[b], scale: volScale}, d.generations[g-1], gens.get(g)); err != nil {
				return err
			}
		}
	}
	return nil
}
