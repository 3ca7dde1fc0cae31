package commission

import (
	"cmp"
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
)

// volumeFixed returns v in units of 10^-volScale, when exact.
func volumeFixed(v decimal.Decimal) (int64, bool) {
	f, s, ok := fixedpoint.FromDecimal(v)
	if !ok || s > volScale {
		return 0, false
	}
	return fixedpoint.Rescale(f, s, volScale)
}

func volumeDecimal(v int64) decimal.Decimal { return decimal.New(v, -volScale) }

func (st *periodState) volumes(m int32) Volumes {
	return Volumes{PV: volumeDecimal(st.pv[m]), QV: volumeDecimal(st.qv[m]), CV: volumeDecimal(st.cv[m]),
		Own: volumeDecimal(st.own[m]), GV: volumeDecimal(st.gv[m]), OGV: volumeDecimal(st.ogv[m]),
		Enrolled: int(st.enrolled[m]), Active: st.active[m]}
}

func (st *periodState) setCarry(k carryKey, v int64) {
	if st.carryOut == nil {
		st.carryOut = make(map[carryKey]int64)
	}
	if v == 0 {
		delete(st.carryOut, k)
		return
	}
	st.carryOut[k] = v
}

// pay records an award of basis × rate (10^-9) to ben.
func (c *PeriodContext) pay(ben, src int32, level, paidLevel int, basis fixed, rate int64, figures []Figure) error {
	neg := basis.v < 0
	if neg {
		basis.v = -basis.v
	}
	amt, ok := mulRound(basis, rate, c.digits, c.plan.Rounding)
	if neg {
		basis.v, amt = -basis.v, -amt
	}
	if !ok {
		return &Error{Rule: c.ruleName(), Why: "award out of range", Err: ErrOverflow}
	}
	if amt == 0 {
		return nil
	}
	c.st.awards = append(c.st.awards, award{rule: int32(c.rule), ben: ben, src: src, level: int32(level), paidLevel: int32(paidLevel),
		basis: basis.v, basisScale: basis.scale, rate: rate, amount: amt, figures: figures})
	c.st.earned[ben] += amt
	return nil
}

// rankReq is a RankRequirement in fixed point.
type rankReq struct {
	*RankRequirement
	pv, gv, ogv int64
	// capGV and capOGV are what one leg (and own volume, with CapOwn)
	// counts at most: MaxLegShare × GV (OGV), rounded down; -1 for no cap.
	capGV, capOGV int64
}

func compileRanks(pp *PeriodPlan) []rankReq {
	out := make([]rankReq, len(pp.Ranks))
	for i := range pp.Ranks {
		r := &pp.Ranks[i]
		q := rankReq{RankRequirement: r, capGV: -1, capOGV: -1}
		q.pv, _ = volumeFixed(r.PV)
		q.gv, _ = volumeFixed(r.GV)
		q.ogv, _ = volumeFixed(r.OGV)
		if !r.MaxLegShare.IsZero() {
			share, _ := parseRate(r.MaxLegShare.String())
			q.capGV, q.capOGV = shareOf(q.gv, share), shareOf(q.ogv, share)
		}
		out[i] = q
	}
	return out
}

// shareOf returns v × share (10^-9), rounded down.
func shareOf(v, share int64) int64 {
	hi, lo := bits.Mul64(uint64(v), uint64(share))
	q, _ := bits.Div64(hi, lo, rateOne)
	return int64(q)
}

// closeError is the error of a close's input.
func closeError(why string) error { return &Error{Why: why, Err: ErrInvalid} }

// closePeriod computes a close of plan's period over tree.
func closePeriod(plan *Plan, tree *hierarchy.Genealogy, in *PeriodInput) (*Closing, error) {
	pp := plan.Period
	per := in.Period
	digits := int32(2)
	if pp.Currency != "" {
		digits, _ = normalize.MinorUnits(pp.Currency)
	}
	snap := tree.SnapshotAsOf(per.To.Add(-time.Nanosecond), in.Known)
	n := tree.Len()
	st := newPeriodState(n)
	c := &PeriodContext{plan: plan, pp: pp, period: per, snap: snap, known: in.Known.UTC(), tree: tree, digits: digits, st: st}
	if err := st.members(snap, pp); err != nil {
		return nil, err
	}
	if err := st.addVolumes(tree, in.Volumes, pp); err != nil {
		return nil, err
	}
	for _, cy := range in.Carried {
		m, ok := tree.Lookup(cy.Member)
		v, vok := volumeFixed(cy.Volume)
		if !ok || !vok {
			return nil, closeError("carried volume of member " + strconv.Quote(cy.Member) + ": unknown member or volume out of range")
		}
		if st.carryIn == nil {
			st.carryIn = make(map[carryKey]int64)
		}
		st.carryIn[carryKey{cy.Rule, int32(m), cy.Leg}] += v
	}
	activePV, _ := volumeFixed(pp.ActivePV)
	for m := range n {
		if st.in[m] {
			st.active[m] = st.status[m] == hierarchy.Active && st.pv[m] >= activePV
			if s := st.sponsor[m]; s >= 0 && st.active[m] {
				st.enrolled[s]++
			}
		}
	}
	st.breakaway, st.ranks = pp.Breakaway, compileRanks(pp)
	if err := st.rollUp(st.ranks); err != nil {
		return nil, err
	}
	for i, r := range pp.Rules {
		c.rule = i
		if err := r.ApplyPeriod(c); err != nil {
			return nil, err
		}
	}
	return c.closing(in)
}

func newPeriodState(n int) *periodState {
	return &periodState{n: n, in: make([]bool, n), up: make([]int32, n), sponsor: make([]int32, n), parent: make([]int32, n),
		leg: make([]hierarchy.Leg, n), status: make([]hierarchy.Status, n), active: make([]bool, n),
		pv: make([]int64, n), qv: make([]int64, n), cv: make([]int64, n), own: make([]int64, n),
		gv: make([]int64, n), ogv: make([]int64, n), enrolled: make([]int32, n),
		rank: make([]hierarchy.Rank, n), highest: make([]hierarchy.Rank, n), legRank: make([]hierarchy.Rank, n),
		prev: make([]hierarchy.Ranks, n), earned: make([]int64, n)}
}

// members reads who takes part and the trees from the snapshot, and
// orders the members children before parents.
func (st *periodState) members(snap hierarchy.Snapshot, pp *PeriodPlan) error {
	n := st.n
	for i := range n {
		m := hierarchy.Member(i)
		st.up[i], st.sponsor[i], st.parent[i] = -1, -1, -1
		if !snap.Has(m) {
			continue
		}
		if k, _ := snap.Kind(m); k != hierarchy.Distributor {
			continue
		}
		st.in[i] = true
		s, _ := snap.Sponsor(m)
		p, leg, _ := snap.Placement(m)
		st.sponsor[i], st.parent[i], st.leg[i] = int32(s), int32(p), leg
		st.status[i], _ = snap.Status(m)
		st.prev[i], _ = snap.Ranks(m)
	}
	for i := range n {
		if !st.in[i] {
			continue
		}
		u := st.sponsor[i]
		if pp.Tree == PlacementTree {
			u = st.parent[i]
		}
		if u >= 0 && !st.in[u] {
			u = -1
		}
		if s := st.sponsor[i]; s >= 0 && !st.in[s] {
			st.sponsor[i] = -1
		}
		if p := st.parent[i]; p >= 0 && !st.in[p] {
			st.parent[i], st.leg[i] = -1, 0
		}
		st.up[i] = u
	}
	// Children in compressed rows, ascending.
	st.kidStart = make([]int32, n+1)
	for i := range n {
		if u := st.up[i]; u >= 0 {
			st.kidStart[u+1]++
		}
	}
	for i := range n {
		st.kidStart[i+1] += st.kidStart[i]
	}
	st.kids = make([]int32, st.kidStart[n])
	fill := slices.Clone(st.kidStart[:n])
	for i := range n {
		if u := st.up[i]; u >= 0 {
			st.kids[fill[u]] = int32(i)
			fill[u]++
		}
	}
	// Breadth first from the roots, then reversed: every child before its
	// parent.
	order := make([]int32, 0, n)
	for i := range n {
		if st.in[i] && st.up[i] < 0 {
			order = append(order, int32(i))
		}
	}
	for j := 0; j < len(order); j++ {
		m := order[j]
		order = append(order, st.kids[st.kidStart[m]:st.kidStart[m+1]]...)
	}
	slices.Reverse(order)
	st.order = order
	return nil
}

// addVolumes adds the members' personal volumes.
func (st *periodState) addVolumes(tree *hierarchy.Genealogy, vols []PersonalVolume, pp *PeriodPlan) error {
	var customers []int64 // customers' PV per member, when PV leaves it out
	if pp.PVExcludesCustomers {
		customers = make([]int64, st.n)
	}
	for i := range vols {
		v := &vols[i]
		m, ok := tree.Lookup(v.Member)
		if !ok || !st.in[m] {
			return closeError("volume credited to " + strconv.Quote(v.Member) + ", who is no distributor in the genealogy at the period's end")
		}
		for _, x := range []struct {
			d   decimal.Decimal
			acc *int64
		}{{v.PV, &st.pv[m]}, {v.QV, &st.qv[m]}, {v.CV, &st.cv[m]}} {
			f, ok := volumeFixed(x.d)
			if !ok {
				return closeError("volume " + x.d.String() + " of member " + strconv.Quote(v.Member) + " has more than 6 decimal places or is out of range")
			}
			s, over := addInt(*x.acc, f)
			if over {
				return &Error{Why: "volume of member " + strconv.Quote(v.Member) + " out of range", Err: ErrOverflow}
			}
			*x.acc = s
		}
		if customers != nil {
			f, ok := volumeFixed(v.CustomerPV)
			if !ok {
				return closeError("customers' PV " + v.CustomerPV.String() + " of member " + strconv.Quote(v.Member) + " has more than 6 decimal places or is out of range")
			}
			var over bool
			if customers[m], over = addInt(customers[m], f); over {
				return &Error{Why: "volume of member " + strconv.Quote(v.Member) + " out of range", Err: ErrOverflow}
			}
		}
	}
	switch pp.GroupBasis {
	case BasisPV:
		copy(st.own, st.pv)
	case BasisCV:
		copy(st.own, st.cv)
	default:
		copy(st.own, st.qv)
	}
	// Group volumes keep the customers' orders; PV alone leaves them out.
	for m, c := range customers {
		var over bool
		if st.pv[m], over = addInt(st.pv[m], -c); over {
			return &Error{Why: "volume of member " + strconv.Quote(tree.ID(hierarchy.Member(m))) + " out of range", Err: ErrOverflow}
		}
	}
	return nil
}

func addInt(a, b int64) (int64, bool) {
	s := a + b
	return s, (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0)
}

// rollUp sums group volumes and qualifies ranks in one pass, children
// before parents: a member's legs are complete, ranks included, when it
// is reached.
func (st *periodState) rollUp(ranks []rankReq) error {
	for _, m := range st.order {
		var over bool
		if st.ogv[m], over = addInt(st.ogv[m], st.own[m]); over {
			return &Error{Why: "group volume out of range", Err: ErrOverflow}
		}
		st.gv[m], _ = addInt(st.gv[m], st.own[m])
		if len(ranks) == 0 {
			st.rank[m] = st.prev[m].PaidAs
		} else {
			st.rank[m] = 0
			for i := len(ranks) - 1; i >= 0; i-- {
				if st.meets(m, &ranks[i], nil) {
					st.rank[m] = ranks[i].Rank
					break
				}
			}
		}
		st.highest[m] = max(st.prev[m].Highest, st.rank[m])
		st.legRank[m] = max(st.legRank[m], st.rank[m])
		u := st.up[m]
		if u < 0 {
			continue
		}
		if st.ogv[u], over = addInt(st.ogv[u], st.ogv[m]); over {
			return &Error{Why: "group volume out of range", Err: ErrOverflow}
		}
		st.gv[u], _ = addInt(st.gv[u], st.gvOf(m))
		st.legRank[u] = max(st.legRank[u], st.legRank[m])
	}
	return nil
}

// gvOf is what leg k adds to its parent's GV: nothing when it broke
// away.
func (st *periodState) gvOf(k int32) int64 {
	if st.breakaway != 0 && st.rank[k] >= st.breakaway {
		return 0
	}
	return st.gv[k]
}

// meets reports whether m meets r; with try, it records each requirement
// that fails and by how much.
func (st *periodState) meets(m int32, r *rankReq, try *rankTry) bool {
	ok := true
	fail := func(s shortfall) bool {
		ok = false
		if try != nil {
			try.failed = append(try.failed, s)
		}
		return try != nil
	}
	if r.Active && !st.active[m] && !fail(shortfall{req: "active"}) {
		return false
	}
	if st.pv[m] < r.pv && !fail(shortfall{req: "pv", have: st.pv[m], need: r.pv}) {
		return false
	}
	if int(st.enrolled[m]) < r.Enrolled && !fail(shortfall{req: "enrolled", have: int64(st.enrolled[m]), need: int64(r.Enrolled)}) {
		return false
	}
	kids := st.kids[st.kidStart[m]:st.kidStart[m+1]]
	for _, l := range r.Legs {
		have := 0
		for _, k := range kids {
			if st.legRank[k] >= l.Rank {
				have++
			}
		}
		if have < l.Count && !fail(shortfall{req: "legs", have: int64(have), need: int64(l.Count), rank: l.Rank}) {
			return false
		}
	}
	if r.gv > 0 {
		if have := st.counted(m, kids, r.capGV, r.CapOwn, false); have < r.gv && !fail(shortfall{req: "gv", have: have, need: r.gv, cap: r.capGV, capOwn: r.CapOwn}) {
			return false
		}
	}
	if r.ogv > 0 {
		if have := st.counted(m, kids, r.capOGV, r.CapOwn, true); have < r.ogv && !fail(shortfall{req: "ogv", have: have, need: r.ogv, cap: r.capOGV, capOwn: r.CapOwn}) {
			return false
		}
	}
	return ok
}

// counted is m's GV (or OGV) counted toward a requirement: own volume
// (capped with capOwn) plus each leg's, each at most capAt (-1: no cap).
func (st *periodState) counted(m int32, kids []int32, capAt int64, capOwn, org bool) int64 {
	if capAt < 0 {
		if org {
			return st.ogv[m]
		}
		return st.gv[m]
	}
	own := st.own[m]
	if capOwn {
		own = min(own, capAt)
	}
	sum := own
	for _, k := range kids {
		v := st.ogv[k]
		if !org {
			v = st.gvOf(k)
		}
		sum += min(v, capAt)
	}
	return sum
}

// rankTry and shortfall are RankTry and Shortfall in fixed point.
type rankTry struct {
	failed []shortfall
}

type shortfall struct {
	req        string
	have, need int64
	rank       hierarchy.Rank
	cap        int64
	capOwn     bool
}

// closing builds the Closing: awards in order with ids and reports,
// carries, rank changes.
func (c *PeriodContext) closing(in *PeriodInput) (*Closing, error) {
	st := c.st
	out := &Closing{Period: c.period, PlanID: c.plan.ID, PlanVersion: c.plan.Version, Known: in.Known.UTC(), pc: c}
	ids := func(m int32) string {
		if m < 0 {
			return ""
		}
		return c.tree.ID(hierarchy.Member(m))
	}
	slices.SortFunc(st.awards, func(a, b award) int {
		return cmp.Or(cmp.Compare(a.rule, b.rule), cmp.Compare(a.ben, b.ben), cmp.Compare(a.level, b.level), cmp.Compare(a.src, b.src))
	})
	for i := 1; i < len(st.awards); i++ {
		a, b := &st.awards[i-1], &st.awards[i]
		if a.rule == b.rule && a.ben == b.ben && a.level == b.level && a.src == b.src {
			return nil, &Error{Rule: c.pp.Rules[a.rule].Name(), Why: "pays " + ids(a.ben) + " twice for source " + strconv.Quote(ids(a.src)) +
				" at level " + strconv.Itoa(int(a.level)) + ": one award per slot", Err: ErrInvalid}
		}
	}
	h := hashOrder(periodKey(c.plan.ID, c.period.ID))
	ms := uint64(max(c.period.From.UnixMilli(), 0))
	// One report per beneficiary, built when first read.
	refOf := make([]int32, st.n)
	var refs []reportRef
	for i := range st.awards {
		if b := st.awards[i].ben; refOf[b] == 0 {
			refs = append(refs, reportRef{pc: c, m: b})
			refOf[b] = int32(len(refs))
		}
	}
	out.Awards = make([]Award, len(st.awards))
	for i := range st.awards {
		a := &st.awards[i]
		w := &out.Awards[i]
		*w = Award{Plan: c.plan.ID, Period: c.period.ID, Rule: c.pp.Rules[a.rule].Name(), Beneficiary: ids(a.ben), Source: ids(a.src),
			Level: int(a.level), PaidLevel: int(a.paidLevel), Kind: KindCommission, Currency: c.pp.Currency,
			Effective: c.period.From, Figures: a.figures, report: &refs[refOf[a.ben]-1],
			basisV: a.basis, basisScale: a.basisScale, digits: int8(c.digits), rate: a.rate, amount: a.amount}
		w.ID = awardID(&h, ms, w, 0, false)
	}
	for k, v := range st.carryOut {
		out.Carry = append(out.Carry, Carry{Rule: k.rule, Member: ids(k.member), Leg: k.leg, Volume: volumeDecimal(v)})
	}
	slices.SortFunc(out.Carry, func(a, b Carry) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Member, b.Member), cmp.Compare(a.Leg, b.Leg))
	})
	if len(c.pp.Ranks) > 0 {
		next := c.tree.SnapshotAsOf(c.period.To, in.Known)
		differs := func(m int) bool {
			have, err := next.Ranks(hierarchy.Member(m))
			return st.in[m] && (err != nil || have != hierarchy.Ranks{PaidAs: st.rank[m], Highest: st.highest[m]})
		}
		k := 0
		for m := range st.n {
			if differs(m) {
				k++
			}
		}
		out.RankChanges = make([]hierarchy.Change, 0, k)
		for m := range st.n {
			if differs(m) {
				out.RankChanges = append(out.RankChanges, hierarchy.Change{Op: hierarchy.OpRank, Member: ids(int32(m)),
					PaidAs: st.rank[m], Highest: st.highest[m], Effective: c.period.To, Recorded: in.Known.UTC()})
			}
		}
	}
	return out, nil
}

// periodKey is the key a period's award ids are hashed from, as an order's
// key is for its events.
func periodKey(plan, period string) normalize.Key {
	return normalize.Key{Platform: "period", Store: plan, OrderID: period}
}

// awardID returns the deterministic ULID of award a at ms, followed for a
// correction by the revision.
func awardID(h *orderHash, ms uint64, a *Award, revision int64, correction bool) ulid.ULID {
	s := h.prefix(a.Source, "", a.Rule).absorb(h, benLevel(h.strHash(a.Beneficiary), a.Level))
	if correction {
		s = s.absorb(h, uint64(revision))
	}
	return s.id(min(ms, ulid.MaxTime()))
}
