package commission

import (
	"encoding/json"
	"time"

	"github.com/uplinehq/upline/hierarchy"
)

// ruleType is a built-in rule type: how to read it and the fields its
// JSON object accepts besides ruleFields.
type ruleType struct {
	read   func(name string, o *object, rs rates) (Rule, error)
	fields []string
}

// ruleFields are the fields every built-in rule accepts.
var ruleFields = []string{"type", "name", "basis", "qualify", "allow_rates_above_one"}

// builtin builds the built-in rule types from their JSON objects.
var builtin = map[string]ruleType{
	"unilevel":          {readUnilevel, []string{"rates", "rates_by_rank", "depth_by_rank", "compression", "unpaid"}},
	"rank_differential": {readRankDifferential, []string{"rates_by_rank", "include_self", "start_level", "below_start"}},
	"retail_profit":     {readRetailProfit, []string{"rates"}},
	"fast_start":        {readFastStart, []string{"days", "rates", "rates_by_rank"}},
}

// unilevel pays a rate per level of the credited distributor's sponsor
// chain, per commission class.
type unilevel struct {
	name        string
	basis       Basis
	rates       classMap[[]int64]         // class → rate per paid level
	ratesByRank byRank[classMap[[]int64]] // overrides rates by paid-as rank
	depth       byRank[int]               // payable depth by paid-as rank
	hasDepth    bool
	qualify     qualify
	compression bool
	rollup      bool
	levels      int // the most levels any rate table pays
}

func (u *unilevel) Name() string { return u.name }

func readUnilevel(name string, o *object, rs rates) (Rule, error) {
	u := &unilevel{name: name}
	var err error
	if u.basis, err = readBasis(o); err != nil {
		return nil, err
	}
	raw, ok := o.get("rates")
	if !ok {
		return nil, o.absent("rates")
	}
	if u.rates, err = readClassMap(raw, join(o.path, "rates"), rs.list); err != nil {
		return nil, err
	}
	u.rates.each(func(rs []int64) { u.levels = max(u.levels, len(rs)) })
	if raw, ok := o.get("rates_by_rank"); ok {
		read := func(raw json.RawMessage, path string) (classMap[[]int64], error) {
			return readClassMap(raw, path, rs.list)
		}
		if u.ratesByRank, err = readByRank(raw, join(o.path, "rates_by_rank"), read); err != nil {
			return nil, err
		}
		for i := range u.ratesByRank.vals {
			u.ratesByRank.vals[i].each(func(rs []int64) { u.levels = max(u.levels, len(rs)) })
		}
	}
	if raw, ok := o.get("depth_by_rank"); ok {
		read := func(raw json.RawMessage, path string) (int, error) {
			n, err := readInt(raw, path, 0, maxLevels)
			return int(n), err
		}
		if u.depth, err = readByRank(raw, join(o.path, "depth_by_rank"), read); err != nil {
			return nil, err
		}
		u.hasDepth = true
	}
	if u.qualify, err = readQualify(o); err != nil {
		return nil, err
	}
	if u.compression, err = o.boolean("compression"); err != nil {
		return nil, err
	}
	switch s, err := o.str("unpaid", false); {
	case err != nil:
		return nil, err
	case s == "" || s == "breakage":
	case s == "rollup":
		u.rollup = true
	default:
		return nil, planErr(join(o.path, "unpaid"), "want breakage or rollup, not %q", s)
	}
	if u.compression && u.rollup {
		return nil, planErr(join(o.path, "unpaid"), "rollup applies only without compression")
	}
	return u, nil
}

// qualifies reports whether a may be paid as paid level p.
func (u *unilevel) qualifies(a *hop, p int) bool {
	if !u.qualify.ok(a.status, a.ranks) {
		return false
	}
	if u.hasDepth {
		d, _ := u.depth.lookup(a.ranks.PaidAs)
		return p <= d
	}
	return true
}

// rate returns the rate a member of rank r earns at paid level p on a line
// of class.
func (u *unilevel) rate(r hierarchy.Rank, class string, p int) int64 {
	rates := &u.rates
	if m, ok := u.ratesByRank.lookup(r); ok {
		rates = &m
	}
	rs, _ := forClass(rates, class)
	if p < 1 || p > len(rs) {
		return 0
	}
	return rs[p-1]
}

func (u *unilevel) baseRate(class string, p int) int64 {
	rs, _ := forClass(&u.rates, class)
	if p < 1 || p > len(rs) {
		return 0
	}
	return rs[p-1]
}

// ulLine is a line as a unilevel rule pays it: its rates (by class) and
// its basis, ready to round.
type ulLine struct {
	rates []int64
	rnd   rounder
	skip  bool  // non-commissionable: earns nothing
	err   error // the basis is out of range: paying on the line fails
}

func (u *unilevel) Apply(c *Context) error {
	c.w.ulines = c.w.ulines[:0]
	for i := range c.lines {
		l := &c.lines[i]
		var rs []int64
		// Lines of one class in a row (the usual order) look it up once.
		if i > 0 && l.Class == c.lines[i-1].Class {
			rs = c.w.ulines[i-1].rates
		} else {
			rs, _ = forClass(&u.rates, l.Class)
		}
		ul := ulLine{rates: rs, skip: l.NonCommissionable}
		if b, err := c.basis(i, u.basis); err != nil {
			ul.err = err
		} else {
			ul.rnd = newRounder(b, c.digits, c.plan.Rounding)
		}
		c.w.ulines = append(c.w.ulines, ul)
	}
	if u.compression {
		p := 1
		for lv := 1; p <= u.levels; lv++ {
			a := c.hop(lv)
			if a == nil {
				break
			}
			if !u.qualifies(a, p) {
				continue
			}
			if err := u.payAll(c, a, lv, p, p); err != nil {
				return err
			}
			p++
		}
		for ; p <= u.levels; p++ {
			u.breakAll(c, p, hierarchy.None)
		}
		return nil
	}
	for lv := 1; lv <= u.levels; lv++ {
		a := c.hop(lv)
		if a == nil {
			u.breakAll(c, lv, hierarchy.None)
			continue
		}
		if u.qualifies(a, lv) {
			if err := u.payAll(c, a, lv, lv, lv); err != nil {
				return err
			}
			continue
		}
		if u.rollup {
			paid := false
			for up := lv + 1; ; up++ {
				r := c.hop(up)
				if r == nil {
					break
				}
				if u.qualifies(r, lv) {
					if err := u.payAll(c, r, lv, up, lv); err != nil {
						return err
					}
					paid = true
					break
				}
			}
			if paid {
				continue
			}
		}
		u.breakAll(c, lv, a.m)
	}
	return nil
}

// payAll pays a at event level lv and paid level paid, at the rate of
// rate level p, on every line.
func (u *unilevel) payAll(c *Context, a *hop, lv, paid, p int) error {
	byRank := len(u.ratesByRank.ranks) > 0
	for i := range c.w.ulines {
		l := &c.w.ulines[i]
		var r int64
		if byRank {
			r = u.rate(a.ranks.PaidAs, c.lines[i].Class, p)
		} else if p >= 1 && p <= len(l.rates) {
			// One rate table for everyone: looked up once per line.
			r = l.rates[p-1]
		}
		if r == 0 {
			continue
		}
		if l.err != nil {
			return l.err
		}
		if l.skip {
			continue
		}
		amt, ok := l.rnd.round(r)
		if !ok {
			return c.overflow(i)
		}
		if amt != 0 {
			c.draft(i, a.m, lv, paid, l.rnd.b, r, amt)
		}
	}
	return nil
}

func (u *unilevel) breakAll(c *Context, lv int, m hierarchy.Member) {
	for i := range c.lines {
		r := u.baseRate(c.lines[i].Class, lv)
		if r == 0 {
			continue
		}
		if b, err := c.basis(i, u.basis); err == nil {
			c.breaks(i, lv, m, b, r)
		}
	}
}

// rankDifferential pays each qualified upline the difference between its
// rank's rate and the highest rate already paid below it. With
// includeSelf the credited distributor, when it qualifies, is paid its own
// rank's rate first, at level 0 (Amway's performance bonus on one's own
// volume), and the uplines only what exceeds it.
//
// With start above 1 the members below level start are paid nothing by
// the rule: with deduct their rates still count as paid (another rule,
// such as a bonus on level 1, pays them their share), so the members from
// start up earn only what exceeds them; without it they are passed over
// as if they were not there.
type rankDifferential struct {
	name        string
	basis       Basis
	rates       byRank[int64]
	qualify     qualify
	top         int64
	includeSelf bool
	start       int
	deduct      bool
}

func (r *rankDifferential) Name() string { return r.name }

func readRankDifferential(name string, o *object, rs rates) (Rule, error) {
	r := &rankDifferential{name: name, start: 1}
	var err error
	if r.basis, err = readBasis(o); err != nil {
		return nil, err
	}
	raw, ok := o.get("rates_by_rank")
	if !ok {
		return nil, o.absent("rates_by_rank")
	}
	if r.rates, err = readByRank(raw, join(o.path, "rates_by_rank"), rs.rate); err != nil {
		return nil, err
	}
	for _, v := range r.rates.vals {
		r.top = max(r.top, v)
	}
	if r.includeSelf, err = o.boolean("include_self"); err != nil {
		return nil, err
	}
	if err := r.readStart(o); err != nil {
		return nil, err
	}
	if r.qualify, err = readQualify(o); err != nil {
		return nil, err
	}
	return r, nil
}

// readStart reads start_level and below_start: a start above 1 must say
// what the members below it do to the differential, since published plans
// do both.
func (r *rankDifferential) readStart(o *object) error {
	n, given, err := o.integer("start_level", false, 1, maxLevels)
	if err != nil {
		return err
	}
	below, err := o.str("below_start", false)
	if err != nil {
		return err
	}
	if given {
		r.start = int(n)
	}
	switch {
	case r.start == 1 && below != "":
		return planErr(join(o.path, "below_start"), "applies only with a start_level above 1")
	case r.start == 1:
		return nil
	case r.includeSelf:
		return planErr(join(o.path, "start_level"), "include_self pays level 0, below a start_level of %d: want one or the other", r.start)
	}
	switch below {
	case "deduct":
		r.deduct = true
	case "ignore":
	case "":
		return planErr(join(o.path, "below_start"), "missing: with start_level %d, want \"deduct\" (the rates of the members below level %d count as paid) or \"ignore\" (they are passed over)", r.start, r.start)
	default:
		return planErr(join(o.path, "below_start"), "want deduct or ignore, not %q", below)
	}
	return nil
}

func (r *rankDifferential) Apply(c *Context) error {
	var paidRate int64
	n, lv := 0, 1
	switch {
	case r.includeSelf:
		lv = 0
	case !r.deduct:
		lv = r.start
	}
	for ; paidRate < r.top; lv++ {
		a := &c.w.self
		if lv > 0 {
			a = c.hop(lv)
		}
		if a == nil {
			break
		}
		if !r.qualify.ok(a.status, a.ranks) {
			continue
		}
		rate, _ := r.rates.lookup(a.ranks.PaidAs)
		if rate <= paidRate {
			continue
		}
		if lv > 0 && lv < r.start {
			paidRate = rate // below the start (deduct): paid by another rule
			continue
		}
		if lv > 0 {
			n++
		}
		for i := range c.lines {
			b, err := c.basis(i, r.basis)
			if err != nil {
				return err
			}
			if err := c.pay(i, a.m, lv, n, b, rate-paidRate); err != nil {
				return err
			}
		}
		paidRate = rate
	}
	return nil
}

// retailProfit pays the distributor who owns a retail customer on that
// customer's orders.
type retailProfit struct {
	name    string
	basis   Basis
	rates   classMap[int64]
	qualify qualify
}

func (r *retailProfit) Name() string { return r.name }

func readRetailProfit(name string, o *object, rs rates) (Rule, error) {
	r := &retailProfit{name: name}
	var err error
	if r.basis, err = readBasis(o); err != nil {
		return nil, err
	}
	raw, ok := o.get("rates")
	if !ok {
		return nil, o.absent("rates")
	}
	if r.rates, err = readClassMap(raw, join(o.path, "rates"), rs.rate); err != nil {
		return nil, err
	}
	if r.qualify, err = readQualify(o); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *retailProfit) Apply(c *Context) error {
	if c.customer == hierarchy.None || !r.qualify.ok(c.w.self.status, c.w.self.ranks) {
		return nil
	}
	for i := range c.lines {
		rate, ok := forClass(&r.rates, c.lines[i].Class)
		if !ok || rate == 0 {
			continue
		}
		b, err := c.basis(i, r.basis)
		if err != nil {
			return err
		}
		if err := c.pay(i, c.credited, 0, 0, b, rate); err != nil {
			return err
		}
	}
	return nil
}

// fastStart pays the credited distributor's upline a bonus on its orders
// during its first days after enrollment: rates[L-1] to the member at
// level L, or, with ratesByRank, the entry at L of the member's own paid-as
// rank's list.
type fastStart struct {
	name        string
	basis       Basis
	days        int
	rates       []int64
	ratesByRank byRank[[]int64]
	byRank      bool
	levels      int // the longest list
	qualify     qualify
}

func (f *fastStart) Name() string { return f.name }

func readFastStart(name string, o *object, rs rates) (Rule, error) {
	f := &fastStart{name: name}
	var err error
	if f.basis, err = readBasis(o); err != nil {
		return nil, err
	}
	d, _, err := o.integer("days", true, 1, 36500)
	if err != nil {
		return nil, err
	}
	f.days = int(d)
	raw, flat := o.get("rates")
	rawByRank, byRank := o.get("rates_by_rank")
	switch {
	case flat && byRank:
		return nil, planErr(join(o.path, "rates_by_rank"), "want \"rates\" (the same for every rank) or \"rates_by_rank\", not both")
	case flat:
		if f.rates, err = rs.list(raw, join(o.path, "rates")); err != nil {
			return nil, err
		}
		f.levels = len(f.rates)
	case byRank:
		if f.ratesByRank, err = readByRank(rawByRank, join(o.path, "rates_by_rank"), rs.list); err != nil {
			return nil, err
		}
		if len(f.ratesByRank.ranks) == 0 {
			return nil, planErr(join(o.path, "rates_by_rank"), "no rank: want a list of rates for at least one rank")
		}
		for _, v := range f.ratesByRank.vals {
			f.levels = max(f.levels, len(v))
		}
		f.byRank = true
	default:
		for _, k := range []string{"rates", "rates_by_rank"} {
			if err := o.misspelt(k); err != nil {
				return nil, err
			}
		}
		return nil, planErr(join(o.path, "rates"), "missing: want \"rates\" or \"rates_by_rank\"")
	}
	if f.qualify, err = readQualify(o); err != nil {
		return nil, err
	}
	return f, nil
}

// rate returns what a member of rank r earns at level lv.
func (f *fastStart) rate(r hierarchy.Rank, lv int) int64 {
	rs := f.rates
	if f.byRank {
		rs, _ = f.ratesByRank.lookup(r)
	}
	if lv > len(rs) {
		return 0
	}
	return rs[lv-1]
}

func (f *fastStart) Apply(c *Context) error {
	since := c.order.OrderTS.Add(-time.Duration(f.days) * 24 * time.Hour)
	if !c.enrolledSince(c.credited, since) {
		return nil
	}
	for lv := 1; lv <= f.levels; lv++ {
		a := c.hop(lv)
		var rate int64
		switch {
		case a != nil:
			rate = f.rate(a.ranks.PaidAs, lv)
		case !f.byRank:
			rate = f.rates[lv-1]
		}
		// Past the top of the chain there is no member, so no rank: by
		// rank, the level's rate is unknown and there is no breakage.
		if rate == 0 {
			continue
		}
		for i := range c.lines {
			b, err := c.basis(i, f.basis)
			if err != nil {
				return err
			}
			if a == nil || !f.qualify.ok(a.status, a.ranks) {
				m := hierarchy.None
				if a != nil {
					m = a.m
				}
				c.breaks(i, lv, m, b, rate)
				continue
			}
			if err := c.pay(i, a.m, lv, lv, b, rate); err != nil {
				return err
			}
		}
	}
	return nil
}
