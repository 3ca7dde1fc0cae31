package commission

import (
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Rule is one rule of a plan. The built-in rules implement it too. Apply
// reads the order, its lines and the genealogy through the Context and pays
// with Context.Pay; the engine rounds, caps, orders and identifies every
// payout the same way whichever rule made it. Apply must be deterministic:
// the same Context must give the same payouts.
type Rule interface {
	// Name is the rule's name in the plan, unique within it; events
	// record it.
	Name() string
	Apply(c *Context) error
}

// Payout is one amount a rule pays: Basis × Rate on one line, to one
// beneficiary. The engine computes the amount exactly and rounds it once.
type Payout struct {
	// Line is the index into Context.Lines.
	Line        int
	Beneficiary hierarchy.Member
	// Level is the beneficiary's level in the sponsor tree counted from the
	// credited distributor (1 = its sponsor); PaidLevel the level it is paid
	// as. Both are 0 for the credited distributor itself.
	Level, PaidLevel int
	Basis, Rate      decimal.Decimal
}

// Context is what a rule sees while one order is calculated: the order,
// its mapped lines, the genealogy snapshot and the credited distributor's
// chain of ancestors, and Pay and Break to record what the rule pays and
// what it would have paid. It is valid only during Rule.Apply.
type Context struct {
	calcOrder
	// w is the calculation's working state, which rules never see.
	w work
}

// calcOrder is what a Context knows of the order it calculates, set whole
// for each one: its working buffers are kept apart so that starting a
// calculation copies none of their slices (each copy of a pointer costs
// a write barrier while the garbage collector marks).
type calcOrder struct {
	order    *normalize.Order
	lines    []sku.Mapped
	snap     hierarchy.Snapshot
	credited hierarchy.Member
	customer hierarchy.Member
	// What paying needs: the plan (its rounding), the currency's minor
	// digits, the rule applying, and the lock's knowledge instant.
	engine *Engine
	plan   *compiled
	known  time.Time
	digits int32
	rule   int32
}

// work is a calculation's working state: the chain as far as the rules
// have read it, the drafts they paid, and what ordering, capping and
// identifying the drafts needs.
type work struct {
	state
	buffers
}

// state is a calculation's working state but its buffers: reset whole
// for each calculation.
type state struct {
	self    hop // the credited distributor, Level 0
	up      hierarchy.Upline
	chainUp bool    // the chain reached the top
	capped  capInfo // set when the cap scaled the drafts down
	// unordered is set when a line's drafts did not arrive in increasing
	// (rule, level): sortDrafts must compare.
	unordered bool
	// total sums the drafts' amounts (each positive, below 2^63);
	// totalWrapped says it wrapped around.
	total        uint64
	totalWrapped bool
	maxLevel     int32 // the highest level a draft pays
	capAmt       int64 // the cap, when the plan has one
	// read counts what CalculateEach read of the orders ahead (see
	// touch), so that those reads are made.
	read int
}

// buffers are a Context's slices, kept across calculations by the
// engine's pool so that a calculation allocates little.
type buffers struct {
	// chain is the upline as far as the rules read it: chain[L-1] is
	// level L.
	chain   []hop
	bases   [][4]basisVal
	drafts  []draft
	seq     []int32 // the drafts' indexes in event order (sortDrafts)
	counts  []int32
	broken  []breakRec
	members []memberRef  // beneficiaries outside the chain
	bens    []memberRef  // by level: the credited distributor, then the chain
	mapped  []sku.Mapped // the order's lines, from Catalog.MapInto
	// lineOrder is per line: how many drafts it has and the (rule, level)
	// of its last (see draft and sortDrafts).
	lineOrder []lineOrder
	// ruleHashes are the hashes of the rules' names, for event ids.
	ruleHashes []refHash
	rems       []capRem
	// ulines are the lines as a unilevel rule pays them, while it applies.
	ulines []ulLine
}

// truncate empties the buffers in place, keeping their memory: a slice
// cut to [:0] where it is keeps its pointer, which costs no write
// barrier.
func (b *buffers) truncate() {
	b.chain, b.bases, b.drafts, b.seq = b.chain[:0], b.bases[:0], b.drafts[:0], b.seq[:0]
	b.counts, b.broken, b.members, b.bens = b.counts[:0], b.broken[:0], b.members[:0], b.bens[:0]
	b.lineOrder, b.ruleHashes, b.mapped, b.rems = b.lineOrder[:0], b.ruleHashes[:0], b.mapped[:0], b.rems[:0]
	b.ulines = b.ulines[:0]
}

// capInfo is a cap applied: share in 10^-9, the other amounts in minor
// units. The zero capInfo is no cap applied.
type capInfo struct {
	share, basis, amount, uncapped int64
}

type basisVal struct {
	f     fixed
	ok    bool
	state uint8 // 0: not read yet (see basisOf)
}

func (c *Context) reset(e *Engine, plan *compiled, o *normalize.Order, lines []sku.Mapped,
	snap hierarchy.Snapshot, known time.Time, credited, customer hierarchy.Member, digits int32) {
	c.calcOrder = calcOrder{engine: e, plan: plan, order: o, lines: lines, snap: snap, known: known,
		credited: credited, customer: customer, digits: digits}
	c.w.state = state{}
	c.w.truncate()
	st, _ := snap.Status(credited)
	rk, _ := snap.Ranks(credited)
	c.w.self = hop{m: credited, status: st, ranks: rk}
	c.w.up, _ = snap.Upline(credited)
	// The bases are read from the lines when a rule first asks (basisOf).
	c.w.bases = append(c.w.bases, make([][4]basisVal, len(lines))...)
	for range lines {
		c.w.lineOrder = append(c.w.lineOrder, lineOrder{last: -1})
	}
}

// basisOf returns a line's basis in fixed point, reading it from the
// mapped line the first time. Net is held in minor units, so the cap sums
// it directly. The catalog's fixed-point forms are used when it has them;
// the decimals otherwise.
func (c *Context) basisOf(line int, b Basis) basisVal {
	if v := &c.w.bases[line][b]; v.state != 0 {
		return *v
	}
	return c.readBasis(line, b)
}

func (c *Context) readBasis(line int, b Basis) basisVal {
	slot := &c.w.bases[line][b]
	l := &c.lines[line]
	var r basisVal
	switch b {
	case BasisNet:
		if n, ok := fixedpoint.Minor(l.Net, c.digits); ok {
			r = basisVal{fixed{v: n, scale: int8(c.digits)}, true, 0}
		} else if n, ok := toFixed(l.Net); ok {
			if n, ok := rescale(n, c.digits); ok {
				r = basisVal{fixed{v: n, scale: int8(c.digits)}, true, 0}
			}
		}
	case BasisPV:
		r = volume(l.PV)
	case BasisQV:
		r = volume(l.QV)
	case BasisCV:
		r = volume(l.CV)
	}
	r.state = 1
	*slot = r
	return r
}

// volume returns a line's volume in fixed point.
func volume(d decimal.Decimal) basisVal {
	f, ok := toFixed(d)
	return basisVal{f, ok, 0}
}

// release drops references so a pooled Context keeps nothing alive.
func (c *Context) release() {
	// What the buffers hold past their length was cleared by an earlier
	// release (or by MapInto, on an error).
	clear(c.w.mapped)  // they hold the catalog's and the order's strings
	clear(c.w.members) // they hold the genealogy's strings
	clear(c.w.bens)
	clear(c.w.ulines)
	c.calcOrder, c.w.state = calcOrder{}, state{}
	c.w.truncate()
}

// Order returns the order revision being calculated.
func (c *Context) Order() *normalize.Order { return c.order }

// Lines returns the order's mapped lines (kit lines expanded into their
// components), in order. Non-commissionable lines are among them and earn
// nothing whatever a rule pays on them.
func (c *Context) Lines() []sku.Mapped { return c.lines }

// Snapshot returns the genealogy as the calculation reads it: at the
// order's OrderTS, as known at the lock's knowledge instant.
func (c *Context) Snapshot() hierarchy.Snapshot { return c.snap }

// Credited returns the distributor the order is credited to.
func (c *Context) Credited() hierarchy.Member { return c.credited }

// Customer returns the retail customer who placed the order, when the
// customer is a retail customer in the genealogy.
func (c *Context) Customer() (hierarchy.Member, bool) {
	return c.customer, c.customer != hierarchy.None
}

// Ancestor returns the credited distributor's sponsor-tree ancestor at
// level (1 = its sponsor), with status and ranks at the order's instant, or
// false past the top. Every ancestor a rule reads is recorded in the events'
// calc_snapshot.
func (c *Context) Ancestor(level int) (hierarchy.Ancestor, bool) {
	h := c.hop(level)
	if h == nil {
		return hierarchy.Ancestor{}, false
	}
	return hierarchy.Ancestor{Member: h.m, Level: level, Status: h.status, Ranks: h.ranks}, true
}

// hop is one member of the chain: the ancestor's member, status and ranks.
type hop struct {
	m      hierarchy.Member
	status hierarchy.Status
	ranks  hierarchy.Ranks
}

// hop returns the ancestor at level (1 = the sponsor), or nil past the top;
// the chain is walked once per order, as far as the rules read it.
func (c *Context) hop(level int) *hop {
	if level >= 1 && level <= len(c.w.chain) {
		return &c.w.chain[level-1]
	}
	return c.climb(level)
}

func (c *Context) climb(level int) *hop {
	for level > len(c.w.chain) && !c.w.chainUp {
		a, ok := c.w.up.Next()
		if !ok {
			c.w.chainUp = true
			break
		}
		c.w.chain = append(c.w.chain, hop{m: a.Member, status: a.Status, ranks: a.Ranks})
	}
	if level < 1 || level > len(c.w.chain) {
		return nil
	}
	return &c.w.chain[level-1]
}

// Basis returns a line's basis: its commissionable net or one of its
// volumes.
func (c *Context) Basis(line int, b Basis) decimal.Decimal {
	if line < 0 || line >= len(c.lines) {
		return decimal.Decimal{}
	}
	l := &c.lines[line]
	switch b {
	case BasisPV:
		return l.PV
	case BasisQV:
		return l.QV
	case BasisCV:
		return l.CV
	}
	return l.Net
}

// Pay pays Basis × Rate to the beneficiary on a line, rounded once to the
// currency's minor unit with the plan's rounding. A payout on a
// non-commissionable line, or one that rounds to zero, pays nothing. Basis and
// Rate must not be negative; the beneficiary must be in the snapshot.
func (c *Context) Pay(p Payout) error {
	b, r, err := c.check(p, false)
	if err != nil {
		return err
	}
	return c.pay(p.Line, p.Beneficiary, p.Level, p.PaidLevel, b, r)
}

// Break records breakage, as the built-in rules do for a level whose member
// does not qualify: what p would have paid — Basis × Rate on the line,
// rounded as Pay rounds it, before any cap — at p.Level to p.Beneficiary,
// the member there, or hierarchy.None past the top of the chain. It pays
// nothing and is listed in Calculation.Breakage under the rule's name.
// p.PaidLevel is not used. Breakage on a non-commissionable line, or that
// rounds to zero, is not recorded. Basis and Rate must not be negative; a
// beneficiary other than None must be in the snapshot.
func (c *Context) Break(p Payout) error {
	b, r, err := c.check(p, true)
	if err != nil {
		return err
	}
	c.breaks(p.Line, p.Level, p.Beneficiary, b, r)
	return nil
}

// check validates a payout of a custom rule and returns its basis and rate
// in fixed point; orNone allows hierarchy.None as the beneficiary.
func (c *Context) check(p Payout, orNone bool) (fixed, int64, error) {
	if p.Line < 0 || p.Line >= len(c.lines) {
		return fixed{}, 0, &Error{Why: "payout on line " + itoa(p.Line) + " of " + itoa(len(c.lines)), Err: ErrInvalid}
	}
	if !c.snap.Has(p.Beneficiary) && !(orNone && p.Beneficiary == hierarchy.None) {
		return fixed{}, 0, &Error{LineID: c.lines[p.Line].LineID, Why: "beneficiary is not in the snapshot", Err: ErrInvalid}
	}
	if p.Level < 0 || p.PaidLevel < 0 || p.Level > 1<<30 || p.PaidLevel > 1<<30 {
		return fixed{}, 0, &Error{LineID: c.lines[p.Line].LineID, Why: "negative level", Err: ErrInvalid}
	}
	b, ok := toFixed(p.Basis)
	if !ok || b.v < 0 {
		return fixed{}, 0, &Error{LineID: c.lines[p.Line].LineID, Why: "basis " + p.Basis.String() + " is negative or out of range", Err: ErrInvalid}
	}
	r, ok := parseRate(p.Rate.String())
	if !ok {
		return fixed{}, 0, &Error{LineID: c.lines[p.Line].LineID, Why: "rate " + p.Rate.String() + " is not from 0 to 1000 with at most 9 places", Err: ErrInvalid}
	}
	return b, r, nil
}

// pay is Pay for the built-in rules, with the basis and rate already in
// fixed point.
func (c *Context) pay(line int, ben hierarchy.Member, level, paid int, b fixed, r int64) error {
	if c.lines[line].NonCommissionable {
		return nil
	}
	amt, ok := mulRound(b, r, c.digits, c.plan.Rounding)
	if !ok {
		return c.overflow(line)
	}
	if amt != 0 {
		c.draft(line, ben, level, paid, b, r, amt)
	}
	return nil
}

func (c *Context) overflow(line int) error {
	return &Error{LineID: c.lines[line].LineID, Why: "amount out of range", Err: ErrOverflow}
}

// draft records a payout of amt, not zero.
func (c *Context) draft(line int, ben hierarchy.Member, level, paid int, b fixed, r, amt int64) {
	c.w.drafts = slices.Grow(c.w.drafts, 1)
	c.w.drafts = c.w.drafts[:len(c.w.drafts)+1]
	d := &c.w.drafts[len(c.w.drafts)-1]
	d.line, d.rule, d.level, d.paid, d.ben = int32(line), c.rule, int32(level), int32(paid), ben
	d.basis, d.rate, d.amount, d.uncapped = b, r, amt, 0
	var carry uint64
	c.w.total, carry = bits.Add64(c.w.total, uint64(amt), 0)
	c.w.totalWrapped = c.w.totalWrapped || carry != 0
	c.w.maxLevel = max(c.w.maxLevel, int32(level))
	o := &c.w.lineOrder[line]
	o.n++
	if k := int64(c.rule)<<32 | int64(level); k > o.last {
		o.last = k
	} else {
		c.w.unordered = true
	}
}

// basis returns a line's basis in fixed point.
func (c *Context) basis(line int, b Basis) (fixed, error) {
	if v := &c.w.bases[line][b]; v.state != 0 && v.ok {
		return v.f, nil
	}
	if v := c.readBasis(line, b); v.ok {
		return v.f, nil
	}
	return fixed{}, &Error{LineID: c.lines[line].LineID, Why: b.String() + " out of range", Err: ErrOverflow}
}

// breaks records breakage: what level would have paid at rate r.
func (c *Context) breaks(line, level int, m hierarchy.Member, b fixed, r int64) {
	if c.lines[line].NonCommissionable {
		return
	}
	amt, ok := mulRound(b, r, c.digits, c.plan.Rounding)
	if !ok || amt == 0 {
		return
	}
	c.w.broken = append(c.w.broken, breakRec{line: int32(line), rule: c.rule, level: int32(level), member: m, amount: amt})
}

// enrolledSince reports whether m's enrollment took effect after since,
// as the genealogy was known at the lock's instant.
func (c *Context) enrolledSince(m hierarchy.Member, since time.Time) bool {
	return !c.snap.At(since).Has(m)
}

func itoa(i int) string { return strconv.Itoa(i) }

func mul64(a, b uint64) (hi, lo uint64) { return bits.Mul64(a, b) }
