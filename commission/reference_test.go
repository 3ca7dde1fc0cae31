package commission_test

// A deliberately simple reference implementation of the engine: decimal
// arithmetic throughout, the whole upline chain in a slice, encoding/json for
// the output. It shares no code with the engine; the differential test
// requires byte-identical events from both.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

type refRule struct {
	typ, name, basis string
	// unilevel
	rates       map[string][]decimal.Decimal
	ratesByRank map[int]map[string][]decimal.Decimal
	depth       map[int]int
	compression bool
	rollup      bool
	// rank_differential
	rankRates   map[int]decimal.Decimal
	includeSelf bool
	startLevel  int  // 0 or 1: from level 1
	deduct      bool // below_start: deduct (else ignore)
	// retail_profit
	retail map[string]decimal.Decimal
	// fast_start
	days     int
	fsRates  []decimal.Decimal
	fsByRank map[int][]decimal.Decimal // replaces fsRates when not nil
	// qualify
	statuses []string
	minRank  int
}

type refPlan struct {
	id       string
	version  int
	from     time.Time
	halfEven bool
	share    decimal.Decimal
	rules    []refRule
}

func rateList(rs []decimal.Decimal) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// JSON renders the plan in the documented form, for the engine.
func (p refPlan) JSON() string {
	m := map[string]any{"id": p.id, "version": p.version, "effective_from": p.from.Format(time.RFC3339)}
	if p.halfEven {
		m["currency_rounding"] = "half_even"
	}
	if p.share.IsZero() {
		m["max_payout_share"] = "none"
	} else {
		m["max_payout_share"] = p.share.String()
	}
	var rules []any
	for _, r := range p.rules {
		o := map[string]any{"type": r.typ, "name": r.name, "basis": r.basis,
			"qualify": map[string]any{"statuses": r.statuses, "min_rank": r.minRank}}
		switch r.typ {
		case "unilevel":
			rates := map[string]any{}
			for k, v := range r.rates {
				rates[k] = rateList(v)
			}
			o["rates"] = rates
			if r.ratesByRank != nil {
				br := map[string]any{}
				for rk, cm := range r.ratesByRank {
					x := map[string]any{}
					for k, v := range cm {
						x[k] = rateList(v)
					}
					br[strconv.Itoa(rk)] = x
				}
				o["rates_by_rank"] = br
			}
			if r.depth != nil {
				d := map[string]int{}
				for k, v := range r.depth {
					d[strconv.Itoa(k)] = v
				}
				o["depth_by_rank"] = d
			}
			o["compression"] = r.compression
			if r.rollup {
				o["unpaid"] = "rollup"
			} else {
				o["unpaid"] = "breakage"
			}
		case "rank_differential":
			rr := map[string]string{}
			for k, v := range r.rankRates {
				rr[strconv.Itoa(k)] = v.String()
			}
			o["rates_by_rank"] = rr
			if r.includeSelf {
				o["include_self"] = true
			}
			if r.startLevel > 1 {
				o["start_level"] = r.startLevel
				o["below_start"] = "ignore"
				if r.deduct {
					o["below_start"] = "deduct"
				}
			}
		case "retail_profit":
			rr := map[string]string{}
			for k, v := range r.retail {
				rr[k] = v.String()
			}
			o["rates"] = rr
		case "fast_start":
			o["days"] = r.days
			if r.fsByRank != nil {
				br := map[string]any{}
				for k, v := range r.fsByRank {
					br[strconv.Itoa(k)] = rateList(v)
				}
				o["rates_by_rank"] = br
			} else {
				o["rates"] = rateList(r.fsRates)
			}
		}
		rules = append(rules, o)
	}
	m["rules"] = rules
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// reference is the slow, obviously right engine.
type reference struct {
	g    *hierarchy.Genealogy
	c    *sku.Catalog
	plan refPlan
	// enrolled returns when a member's enrollment took effect, as the
	// test world recorded it (not read from the genealogy).
	enrolled func(id string) time.Time
}

type refLink struct {
	id      string
	level   int
	status  hierarchy.Status
	paidAs  int
	highest int
}

type refEvent struct {
	line, rule, level, paid       int
	ben                           string
	basis, rate, amount, uncapped decimal.Decimal
}

// atOrBelow returns m[k] for the highest k ≤ rank.
func atOrBelow[T any](m map[int]T, rank int) (T, bool) {
	for k := rank; k >= 0; k-- {
		if v, ok := m[k]; ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func classOf[T any](m map[string]T, class string) (T, bool) {
	if v, ok := m[class]; ok {
		return v, true
	}
	v, ok := m["*"]
	return v, ok
}

func (r refRule) qualified(l refLink) bool {
	ok := false
	for _, s := range r.statuses {
		if s == l.status.String() {
			ok = true
		}
	}
	return ok && l.paidAs >= r.minRank
}

func refBasis(m sku.Mapped, b string) decimal.Decimal {
	switch b {
	case "pv":
		return m.PV
	case "qv":
		return m.QV
	case "cv":
		return m.CV
	}
	return m.Net
}

// calc returns the events as JSON lines.
func (r *reference) calc(o *normalize.Order, known time.Time) ([]byte, error) {
	snap := r.g.SnapshotAsOf(o.OrderTS, known)
	credited, customer := "", ""
	if m, err := snap.Lookup(o.CustomerRef); o.CustomerRef != "" && err == nil {
		k, _ := snap.Kind(m)
		if k == hierarchy.Retail {
			s, _ := snap.Sponsor(m)
			credited, customer = r.g.ID(s), o.CustomerRef
		} else {
			credited = o.CustomerRef
		}
	}
	if credited == "" && o.DistributorRef != "" {
		m, err := snap.Resolve(o.DistributorRef)
		if err != nil {
			m, err = snap.Lookup(o.DistributorRef)
		}
		if err == nil {
			if k, _ := snap.Kind(m); k == hierarchy.Distributor {
				credited = r.g.ID(m)
			}
		}
	}
	if credited == "" {
		if o.Status != normalize.StatusPaid && o.Status != normalize.StatusPartiallyRefunded {
			return nil, nil // it earns nothing anyway
		}
		return nil, fmt.Errorf("unattributed")
	}
	lines, err := r.c.Map(o)
	if err != nil {
		return nil, err
	}
	digits, _ := normalize.MinorUnits(o.Currency)
	cm, _ := snap.Lookup(credited)
	st, _ := snap.Status(cm)
	rk, _ := snap.Ranks(cm)
	self := refLink{id: credited, status: st, paidAs: int(rk.PaidAs), highest: int(rk.Highest)}
	var chain []refLink
	up, _ := snap.Upline(cm)
	for a, ok := up.Next(); ok; a, ok = up.Next() {
		chain = append(chain, refLink{id: r.g.ID(a.Member), level: a.Level, status: a.Status, paidAs: int(a.Ranks.PaidAs), highest: int(a.Ranks.Highest)})
	}
	read := 0
	at := func(lv int) (refLink, bool) {
		read = max(read, lv)
		if lv < 1 || lv > len(chain) {
			return refLink{}, false
		}
		return chain[lv-1], true
	}
	var evs []refEvent
	pay := func(line, rule, lv, paid int, ben string, basis, rate decimal.Decimal) {
		if lines[line].NonCommissionable {
			return
		}
		amt := basis.Mul(rate)
		if r.plan.halfEven {
			amt = amt.RoundBank(digits)
		} else {
			amt = amt.Round(digits)
		}
		if amt.IsZero() {
			return
		}
		evs = append(evs, refEvent{line: line, rule: rule, level: lv, paid: paid, ben: ben, basis: basis, rate: rate, amount: amt})
	}
	for ri, rule := range r.plan.rules {
		switch rule.typ {
		case "unilevel":
			levels := 0
			for _, v := range rule.rates {
				levels = max(levels, len(v))
			}
			for _, cmap := range rule.ratesByRank {
				for _, v := range cmap {
					levels = max(levels, len(v))
				}
			}
			qualifies := func(l refLink, p int) bool {
				if !rule.qualified(l) {
					return false
				}
				if rule.depth != nil {
					d, _ := atOrBelow(rule.depth, l.paidAs)
					return p <= d
				}
				return true
			}
			rateOf := func(rank int, class string, p int) decimal.Decimal {
				m := rule.rates
				if x, ok := atOrBelow(rule.ratesByRank, rank); ok {
					m = x
				}
				rs, _ := classOf(m, class)
				if p > len(rs) {
					return decimal.Zero
				}
				return rs[p-1]
			}
			payAll := func(l refLink, lv, paid, p int) {
				for i, m := range lines {
					if rt := rateOf(l.paidAs, m.Class, p); !rt.IsZero() {
						pay(i, ri, lv, paid, l.id, refBasis(m, rule.basis), rt)
					}
				}
			}
			if rule.compression {
				p := 1
				for lv := 1; p <= levels; lv++ {
					l, ok := at(lv)
					if !ok {
						break
					}
					if qualifies(l, p) {
						payAll(l, lv, p, p)
						p++
					}
				}
				continue
			}
			for lv := 1; lv <= levels; lv++ {
				l, ok := at(lv)
				if !ok {
					continue
				}
				if qualifies(l, lv) {
					payAll(l, lv, lv, lv)
					continue
				}
				if rule.rollup {
					for upLv := lv + 1; ; upLv++ {
						x, ok := at(upLv)
						if !ok {
							break
						}
						if qualifies(x, lv) {
							payAll(x, lv, upLv, lv)
							break
						}
					}
				}
			}
		case "rank_differential":
			top := decimal.Zero
			for _, v := range rule.rankRates {
				top = decimal.Max(top, v)
			}
			paid, n, lv := decimal.Zero, 0, 1
			if rule.includeSelf {
				lv = 0
			}
			for ; paid.LessThan(top); lv++ {
				l, ok := self, true
				if lv > 0 {
					l, ok = at(lv)
				}
				if !ok {
					break
				}
				if !rule.qualified(l) {
					continue
				}
				rt, _ := atOrBelow(rule.rankRates, l.paidAs)
				if !rt.GreaterThan(paid) {
					continue
				}
				if lv > 0 && lv < rule.startLevel {
					if rule.deduct {
						paid = rt
					}
					continue
				}
				if lv > 0 {
					n++
				}
				for i, m := range lines {
					pay(i, ri, lv, n, l.id, refBasis(m, rule.basis), rt.Sub(paid))
				}
				paid = rt
			}
		case "retail_profit":
			if customer == "" || !rule.qualified(self) {
				continue
			}
			for i, m := range lines {
				if rt, ok := classOf(rule.retail, m.Class); ok && !rt.IsZero() {
					pay(i, ri, 0, 0, credited, refBasis(m, rule.basis), rt)
				}
			}
		case "fast_start":
			if o.OrderTS.Sub(r.enrolled(credited)) >= time.Duration(rule.days)*24*time.Hour {
				continue
			}
			levels := len(rule.fsRates)
			for _, v := range rule.fsByRank {
				levels = max(levels, len(v))
			}
			for lv := 1; lv <= levels; lv++ {
				l, ok := at(lv)
				if !ok || !rule.qualified(l) {
					continue
				}
				rs := rule.fsRates
				if rule.fsByRank != nil {
					rs, _ = atOrBelow(rule.fsByRank, l.paidAs)
				}
				if lv > len(rs) || rs[lv-1].IsZero() {
					continue
				}
				for i, m := range lines {
					pay(i, ri, lv, lv, l.id, refBasis(m, rule.basis), rs[lv-1])
				}
			}
		}
	}
	// Cap.
	type jcap struct {
		Share    string `json:"share"`
		Basis    string `json:"basis"`
		Amount   string `json:"amount"`
		Uncapped string `json:"uncapped"`
	}
	var capped *jcap
	if !r.plan.share.IsZero() {
		net := decimal.Zero
		for _, m := range lines {
			net = net.Add(m.Net)
		}
		capAmt := net.Mul(r.plan.share).Truncate(digits)
		total := decimal.Zero
		for _, e := range evs {
			total = total.Add(e.amount)
		}
		if total.GreaterThan(capAmt) {
			sortRef(evs)
			w := make([]decimal.Decimal, len(evs))
			for i, e := range evs {
				w[i] = e.amount
			}
			parts, err := normalize.Allocate(capAmt, w, digits)
			if err != nil {
				return nil, err
			}
			capped = &jcap{Share: r.plan.share.String(), Basis: net.StringFixed(digits),
				Amount: capAmt.StringFixed(digits), Uncapped: total.StringFixed(digits)}
			var kept []refEvent
			for i, e := range evs {
				e.uncapped = e.amount
				e.amount = parts[i]
				if !e.amount.IsZero() {
					kept = append(kept, e)
				}
			}
			evs = kept
		}
	}
	sortRef(evs)

	// Snapshot.
	type jl struct {
		Member  string `json:"member"`
		Level   int    `json:"level"`
		Status  string `json:"status"`
		PaidAs  int    `json:"paid_as"`
		Highest int    `json:"highest"`
	}
	type jref struct {
		ID            string `json:"id"`
		EffectiveFrom string `json:"effective_from"`
	}
	type jline struct {
		LineID    string `json:"line_id"`
		Component string `json:"component,omitempty"`
		SKU       jref   `json:"sku"`
		Kit       *jref  `json:"kit,omitempty"`
		Class     string `json:"class"`
	}
	type jplan struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	type jsnap struct {
		Plan         jplan   `json:"plan"`
		Known        string  `json:"known"`
		At           string  `json:"at"`
		OrderVersion string  `json:"order_version"`
		Credited     jl      `json:"credited"`
		Customer     string  `json:"customer,omitempty"`
		Upline       []jl    `json:"upline"`
		Lines        []jline `json:"lines"`
		Cap          *jcap   `json:"cap,omitempty"`
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	comp := func(m sku.Mapped) string {
		if m.Component == sku.NoComponent {
			return ""
		}
		return m.SKU.ID
	}
	s := jsnap{Plan: jplan{r.plan.id, r.plan.version}, Known: ts(known), At: ts(o.OrderTS), OrderVersion: ts(o.Version),
		Credited: jl{credited, 0, self.status.String(), self.paidAs, self.highest}, Customer: customer,
		Upline: []jl{}, Lines: []jline{}, Cap: capped}
	for _, l := range chain[:min(read, len(chain))] {
		s.Upline = append(s.Upline, jl{l.id, l.level, l.status.String(), l.paidAs, l.highest})
	}
	for _, m := range lines {
		jlx := jline{LineID: m.LineID, Component: comp(m), SKU: jref{m.SKU.ID, ts(m.SKU.EffectiveFrom)}, Class: m.Class}
		if m.Kit.ID != "" {
			jlx.Kit = &jref{m.Kit.ID, ts(m.Kit.EffectiveFrom)}
		}
		s.Lines = append(s.Lines, jlx)
	}
	type jorder struct {
		Platform string `json:"platform"`
		Store    string `json:"store"`
		OrderID  string `json:"order_id"`
	}
	type jevent struct {
		ID          string `json:"id"`
		Order       jorder `json:"order"`
		LineID      string `json:"line_id"`
		Component   string `json:"component,omitempty"`
		Beneficiary string `json:"beneficiary"`
		Rule        string `json:"rule"`
		Kind        string `json:"kind"`
		Level       int    `json:"level"`
		PaidLevel   int    `json:"paid_level"`
		Basis       string `json:"basis"`
		Rate        string `json:"rate"`
		Amount      string `json:"amount"`
		Uncapped    string `json:"uncapped_amount,omitempty"`
		Currency    string `json:"currency"`
		Effective   string `json:"effective"`
		Snap        jsnap  `json:"calc_snapshot"`
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	for _, e := range evs {
		m := lines[e.line]
		je := jevent{Order: jorder{string(o.Platform), o.Store, o.PlatformOrderID}, LineID: m.LineID, Component: comp(m),
			Beneficiary: e.ben, Rule: r.plan.rules[e.rule].name, Kind: "commission", Level: e.level, PaidLevel: e.paid,
			Basis: e.basis.String(), Rate: e.rate.String(), Amount: e.amount.StringFixed(digits), Currency: o.Currency,
			Effective: ts(o.OrderTS), Snap: s}
		if capped != nil {
			je.Uncapped = e.uncapped.StringFixed(digits)
		}
		je.ID = refID(o, je.LineID, je.Component, je.Rule, je.Beneficiary, e.level)
		if err := enc.Encode(je); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

func sortRef(evs []refEvent) {
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if a.line != b.line {
			return a.line < b.line
		}
		if a.rule != b.rule {
			return a.rule < b.rule
		}
		if a.level != b.level {
			return a.level < b.level
		}
		return a.ben < b.ben
	})
}

// refID computes an event id as the package documents it (id.go), field
// by field, without the engine's caching.
func refID(o *normalize.Order, line, comp, rule, ben string, level int) string {
	const c0, c1, c2, c3 = 0x243f6a8885a308d3, 0x13198a2e03707344, 0xa4093822299f31d0, 0x9e3779b97f4a7c15
	fmix := func(x uint64) uint64 {
		x ^= x >> 33
		x *= 0xff51afd7ed558ccd
		x ^= x >> 33
		x *= 0xc4ceb53fe1a85ec9
		x ^= x >> 33
		return x
	}
	// words splits b into little-endian 8-byte words, the last zero-padded
	// (and present even when b is empty or a multiple of 8 long).
	words := func(b []byte) []uint64 {
		p := append(append([]byte(nil), b...), make([]byte, 8-len(b)%8)...)
		var ws []uint64
		for i := 0; i < len(p); i += 8 {
			ws = append(ws, binary.LittleEndian.Uint64(p[i:i+8]))
		}
		return ws
	}
	var key []byte
	for _, s := range []string{string(o.Platform), o.Store, o.PlatformOrderID} {
		key = binary.AppendUvarint(key, uint64(len(s)))
		key = append(key, s...)
	}
	k0, k1 := c0^uint64(len(key)), c1^uint64(len(key))
	for _, w := range words(key) {
		k0, k1 = fmix(k0^w), fmix(k1^w^c2)
	}
	k2, k3 := fmix(k0^c2), fmix(k1^c3)
	field := func(s string) uint64 {
		ws := words([]byte(s))
		x := k2 ^ uint64(len(s))*0x9e3779b97f4a7c15
		for _, w := range ws[:len(ws)-1] {
			x = fmix(x ^ w)
		}
		return fmix(x ^ ws[len(ws)-1] ^ k3)
	}
	b := fmix(field(ben) + uint64(level)*c3)
	x0, x1 := k0, k1
	for _, v := range []uint64{field(line), field(comp), field(rule), b} {
		x0, x1 = fmix(x0^v), fmix(x1^v^k2)
	}
	var id ulid.ULID
	if err := id.SetTime(uint64(o.OrderTS.UnixMilli())); err != nil {
		panic(err)
	}
	binary.BigEndian.PutUint64(id[6:14], x0)
	id[14], id[15] = byte(x1>>56), byte(x1>>48)
	return id.String()
}
