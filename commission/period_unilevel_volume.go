package commission

import (
	"cmp"
	"encoding/json"
	"slices"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// periodUnilevel pays, at period close, rates by paid level on the
// period volume of each member's downline in the group tree: the
// "unilevel_volume" period rule. See the package overview, Period
// bonuses.
type periodUnilevel struct {
	name  string
	basis Basis
	levelWalk
	// activeOnly: only the volume of members active in the period pays.
	activeOnly bool
}

func (u *periodUnilevel) Name() string { return u.name }

func readPeriodUnilevel(name string, o *object, _ *PeriodPlan, rs rates) (PeriodRule, error) {
	u := &periodUnilevel{name: name}
	var err error
	if u.basis, err = readVolumeBasis(o); err != nil {
		return nil, err
	}
	if u.levelWalk, err = readLevelWalk(o, rs); err != nil {
		return nil, err
	}
	if u.activeOnly, err = o.boolean("active_volume_only"); err != nil {
		return nil, err
	}
	return u, nil
}

// levelWalk is what the rules paying by level up a tree share
// (unilevel_volume, matching): rates per paid level, by paid-as rank;
// who qualifies; and whether compression skips who does not.
type levelWalk struct {
	rates       []int64         // rate per paid level
	ratesByRank byRank[[]int64] // overrides rates by paid-as rank
	qualify     periodQualify
	compression bool
	levels      int // the most levels any rate table pays
}

func readLevelWalk(o *object, rs rates) (levelWalk, error) {
	var w levelWalk
	raw, ok := o.get("rates")
	if !ok {
		return w, o.absent("rates")
	}
	var err error
	if w.rates, err = rs.list(raw, join(o.path, "rates")); err != nil {
		return w, err
	}
	w.levels = len(w.rates)
	if raw, ok := o.get("rates_by_rank"); ok {
		if w.ratesByRank, err = readByRank(raw, join(o.path, "rates_by_rank"), rs.list); err != nil {
			return w, err
		}
		for _, v := range w.ratesByRank.vals {
			w.levels = max(w.levels, len(v))
		}
	}
	if w.qualify, err = readPeriodQualify(o); err != nil {
		return w, err
	}
	w.compression, err = o.boolean("compression")
	return w, err
}

// walk calls pay for each member paid on what x brings, going up h: its
// tree level lv and paid level p. Without compression p is lv, and a
// level whose member does not qualify (or is past its rank's depth) is
// unpaid; with compression that member is skipped and consumes no level.
func (w *levelWalk) walk(h []walkStep, x int32, pay func(a int32, lv, p int) error) error {
	p := 1
	for lv, a := 1, h[x].up; a >= 0 && p <= w.levels; lv, a = lv+1, h[a].up {
		if !w.compression {
			if p = lv; p > w.levels {
				break
			}
		}
		if !h[a].ok || w.rateAt(h[a].rank, p) == 0 {
			continue
		}
		if err := pay(a, lv, p); err != nil {
			return err
		}
		p++
	}
	return nil
}

// rateAt returns the rate a member paid as rank r earns as paid level p:
// its rank's table, else rates; 0 past the table's end (its depth).
func (w *levelWalk) rateAt(r hierarchy.Rank, p int) int64 {
	rs := w.rates
	if t, ok := w.ratesByRank.lookup(r); ok {
		rs = t
	}
	if p < 1 || p > len(rs) {
		return 0
	}
	return rs[p-1]
}

// walkStep is what a walk up a tree reads of a member, packed so that each
// step costs one memory read: its parent, its paid-as rank and whether
// it qualifies for the rule.
type walkStep struct {
	up   int32
	rank hierarchy.Rank
	ok   bool
}

// walkSteps packs every member's parent (up or sponsor) with its rank and
// qualification.
func walkSteps(st *periodState, parent []int32, q periodQualify) []walkStep {
	h := make([]walkStep, st.n)
	for m := range h {
		h[m] = walkStep{up: parent[m], rank: st.rank[m], ok: st.in[m] && q.ok(st, int32(m))}
	}
	return h
}

// ulSums sums what each beneficiary earns at each paid level: the
// volume and how many members it came from. Flat arrays (one slot per
// member and level) when they are small enough, else a map.
type ulSums struct {
	levels int
	vol    []int64
	n      []int32
	m      map[ulKey]*ulSum
	keys   []ulKey
}

type ulKey struct{ ben, level int32 }

type ulSum struct {
	vol int64
	n   int32
}

// maxFlatSums bounds the flat arrays: 2^26 slots, 768 MB at most.
const maxFlatSums = 1 << 26

func newULSums(members, levels, maxFlat int) *ulSums {
	s := &ulSums{levels: levels}
	if members*levels <= maxFlat {
		s.vol = make([]int64, members*levels)
		s.n = make([]int32, members*levels)
	} else {
		s.m = make(map[ulKey]*ulSum)
	}
	return s
}

func (s *ulSums) add(ben int32, p int, v int64) {
	if s.m == nil {
		i := int(ben)*s.levels + p - 1
		s.vol[i] += v
		s.n[i]++
		return
	}
	k := ulKey{ben, int32(p)}
	e := s.m[k]
	if e == nil {
		e = &ulSum{}
		s.m[k] = e
		s.keys = append(s.keys, k)
	}
	e.vol += v
	e.n++
}

// each calls f for every beneficiary and paid level with volume, by
// beneficiary, then level.
func (s *ulSums) each(f func(ben int32, p int, vol int64, n int32) error) error {
	if s.m == nil {
		for i, v := range s.vol {
			if s.n[i] > 0 {
				if err := f(int32(i/s.levels), i%s.levels+1, v, s.n[i]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	slices.SortFunc(s.keys, func(a, b ulKey) int {
		return cmp.Or(cmp.Compare(a.ben, b.ben), cmp.Compare(a.level, b.level))
	})
	for _, k := range s.keys {
		e := s.m[k]
		if err := f(k.ben, int(k.level), e.vol, e.n); err != nil {
			return err
		}
	}
	return nil
}

// ApplyPeriod walks up from every member with volume and credits the
// volume to the member each paid level lands on. Awards are one per
// beneficiary and paid level: the level's volume summed, rounded once.
func (u *periodUnilevel) ApplyPeriod(c *PeriodContext) error {
	st := c.st
	if u.levels == 0 {
		return nil
	}
	vol := periodVolumes(st, u.basis)
	sums := newULSums(st.n, u.levels, maxFlatSums)
	h := walkSteps(st, st.up, u.qualify)
	for _, x := range st.order {
		v := vol[x]
		if v == 0 || (u.activeOnly && !st.active[x]) {
			continue
		}
		err := u.walk(h, x, func(a int32, _, p int) error {
			sums.add(a, p, v)
			return nil
		})
		if err != nil {
			return err
		}
	}
	figs := newFigureCache(func(n int32) []Figure {
		return []Figure{{Name: "members", Value: decimal.NewFromInt(int64(n))}}
	})
	return sums.each(func(ben int32, p int, v int64, n int32) error {
		return c.pay(ben, int32(hierarchy.None), p, p, fixed{v: v, scale: volScale}, u.rateAt(st.rank[ben], p), figs.get(n))
	})
}

// figureCache shares the Figures of awards explained by the same numbers
// (a level's member count, a differential's two rates, a pool share):
// awards hold their figures read-only, and one slice per distinct value
// saves allocations on every award of a large close.
type figureCache[K comparable] struct {
	m    map[K][]Figure
	make func(K) []Figure
}

func newFigureCache[K comparable](f func(K) []Figure) *figureCache[K] {
	return &figureCache[K]{m: make(map[K][]Figure), make: f}
}

func (fc *figureCache[K]) get(k K) []Figure {
	f, ok := fc.m[k]
	if !ok {
		f = fc.make(k)
		fc.m[k] = f
	}
	return f
}

// periodQualify says who may earn a period rule: a member active in the
// period (unless "active": false) whose paid-as rank this period is at
// least min_rank.
type periodQualify struct {
	anyStatus bool // "active": false: activity is not required
	minRank   hierarchy.Rank
}

func (q periodQualify) ok(st *periodState, m int32) bool {
	return (q.anyStatus || st.active[m]) && st.rank[m] >= q.minRank
}

func readPeriodQualify(o *object) (periodQualify, error) {
	raw, ok := o.get("qualify")
	if !ok {
		return periodQualify{}, nil
	}
	path := join(o.path, "qualify")
	q, err := readObject(raw, path)
	if err != nil {
		return periodQualify{}, err
	}
	q.fields = []string{"active", "min_rank"}
	var out periodQualify
	if raw, ok := q.get("active"); ok {
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return periodQualify{}, planErr(join(path, "active"), "want true or false")
		}
		out.anyStatus = !b
	}
	if n, ok, err := q.integer("min_rank", false, 0, 65535); err != nil {
		return periodQualify{}, err
	} else if ok {
		out.minRank = hierarchy.Rank(n)
	}
	return out, q.done()
}

// periodVolumes returns the members' own period volumes of basis b.
func periodVolumes(st *periodState, b Basis) []int64 {
	switch b {
	case BasisPV:
		return st.pv
	case BasisCV:
		return st.cv
	}
	return st.qv
}

// readVolumeBasis reads a period rule's "basis": the member volume its
// rates apply to, "pv", "qv" or "cv".
func readVolumeBasis(o *object) (Basis, error) {
	b, err := readBasis(o)
	if err != nil {
		return 0, err
	}
	if b == BasisNet {
		return 0, planErr(join(o.path, "basis"), "a period rule pays on volume: want pv, qv or cv")
	}
	return b, nil
}
