package commission

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/tree"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Engine applies a plan's versions to orders against a catalog and a
// genealogy. It is safe for concurrent use as long as the genealogy is not
// modified meanwhile (see hierarchy.Genealogy).
type Engine struct {
	catalog *sku.Catalog
	tree    *hierarchy.Genealogy
	plans   []compiled // ascending Version and EffectiveFrom
	scratch sync.Pool  // *Context
}

type compiled struct {
	*Plan
	cap    int64
	hasCap bool
}

// New returns an engine for the versions of one plan (same ID, distinct
// versions, each taking effect strictly after the one before).
func New(catalog *sku.Catalog, tree *hierarchy.Genealogy, versions ...*Plan) (*Engine, error) {
	if catalog == nil || tree == nil || len(versions) == 0 {
		return nil, &Error{Why: "an engine needs a catalog, a genealogy and a plan", Err: ErrInvalid}
	}
	e := &Engine{catalog: catalog, tree: tree}
	for _, p := range versions {
		if p == nil {
			return nil, planErr("", "nil plan")
		}
		c, has, err := p.check()
		if err != nil {
			return nil, err
		}
		if p.ID != versions[0].ID {
			return nil, planErr("id", "an engine runs one plan; got %q and %q", versions[0].ID, p.ID)
		}
		e.plans = append(e.plans, compiled{Plan: p, cap: c, hasCap: has})
	}
	slices.SortFunc(e.plans, func(a, b compiled) int { return cmp.Compare(a.Version, b.Version) })
	for i := 1; i < len(e.plans); i++ {
		if e.plans[i].Version == e.plans[i-1].Version || !e.plans[i].EffectiveFrom.After(e.plans[i-1].EffectiveFrom) {
			return nil, planErr("version", "plan %q version %d must differ from and take effect after version %d",
				e.plans[i].ID, e.plans[i].Version, e.plans[i-1].Version)
		}
	}
	return e, nil
}

// Lock is what the first calculation of an order fixes for all its later
// revisions: the genealogy's knowledge instant and the plan version.
type Lock struct {
	// Known is the recording instant up to which the genealogy was known:
	// the calculation reads Genealogy.SnapshotAsOf(OrderTS, Known).
	Known time.Time
	// PlanID and PlanVersion name the plan version applied. Empty on the
	// first calculation: the version in force at the order's OrderTS is
	// chosen.
	PlanID      string
	PlanVersion int
}

// Calculation is the outcome of calculating one revision of an order.
type Calculation struct {
	// Events are the desired commission events, in the defined order.
	Events []Event
	// Lock is the lock the calculation used; pass it to every later
	// revision of the order.
	Lock Lock
	// Snapshot is what the calculation saw; every event points at it.
	Snapshot *CalcSnapshot
	// Breakage lists what the plan would have paid but did not.
	Breakage []Breakage
	// Capped says whether the events were scaled down to the plan's cap
	// (see Cap).
	Capped bool
	// Lines are the order's mapped lines (kit lines expanded into their
	// components) with the volumes and commissionable net of the units
	// that earn; nil for an order that earns nothing. Calculate gives the
	// Calculation its own copy; after CalculateInto they are valid until
	// dst is reused.
	Lines []sku.Mapped

	capAmt int64      // the cap in minor units; 0 without one
	digits int8       // the currency's minor digits
	snap   *snapBlock // where Snapshot is built
	reuse  bool       // CalculateInto: reuse Events' and Breakage's memory
	// ctx is CalculateInto's working memory, kept from one calculation to
	// the next (Calculate borrows one from the engine's pool instead).
	ctx *Context
}

// Cap returns the most the order could pay under the plan's cap: its
// commissionable net × max_payout_share, rounded down to the minor unit;
// zero when the plan has no cap.
func (c *Calculation) Cap() decimal.Decimal { return decimal.New(c.capAmt, -int32(c.digits)) }

// Breakage is an amount a rule would have paid at a level and did not:
// the member there did not qualify and nothing rolled up, or the chain ended.
type Breakage struct {
	LineID    string
	Component string
	Rule      string
	Level     int
	// Member is the unqualified member at Level, or "" past the top of the
	// chain.
	Member string

	amount int64 // minor units
	digits int8
}

// Amount returns what the level would have paid: the line's basis × the
// rule's base rate for the level (for unilevel, the rates table without
// rates_by_rank), rounded once to the currency's minor unit with the
// plan's rounding, as an event's amount is, before any cap. Breakage that
// rounds to zero is not listed.
func (b Breakage) Amount() decimal.Decimal { return decimal.New(b.amount, -int32(b.digits)) }

// draft is a payout inside the engine, before ordering, capping and ids.
type draft struct {
	line   int32 // index into the mapped lines
	rule   int32
	level  int32
	paid   int32
	ben    hierarchy.Member
	basis  fixed
	rate   int64
	amount int64
	// uncapped is the amount before the cap, in a capped calculation;
	// 0 otherwise.
	uncapped int64
}

type breakRec struct {
	line   int32
	rule   int32
	level  int32
	member hierarchy.Member
	amount int64
}

// Calculate calculates the desired events of one revision of an order.
// lock.Known is required. With an empty lock.PlanID the plan version in force
// at o.OrderTS applies; otherwise the locked version does, whatever the
// revision. A paid or partially refunded order credited to no distributor
// fails with ErrUnattributed (hold it); a pending, cancelled, voided or
// refunded one earns nothing anyway and gives an empty Calculation (no
// events, its Lock, a Snapshot with no credited distributor, no upline and
// no lines). A line the catalog cannot map fails with the catalog's
// *sku.MapError.
func (e *Engine) Calculate(o *normalize.Order, lock Lock) (*Calculation, error) {
	blk := &calcBlock{}
	blk.calc.snap = &blk.snap
	if err := e.calculate(&blk.calc, o, lock); err != nil {
		return nil, err
	}
	return &blk.calc, nil
}

// CalculateInto is Calculate writing into dst and reusing its memory: the
// events, breakage and snapshot a previous calculation left in dst are
// overwritten, so they (and copies of its events, which share its
// snapshot) must no longer be used. Use it to calculate many orders one
// after another, with one Calculation per goroutine, posting or encoding
// each calculation's events before the next. On an error dst holds no
// events. dst also keeps the calculation's working memory for the next
// one. The Engine stays safe for concurrent use; one dst is not.
func (e *Engine) CalculateInto(dst *Calculation, o *normalize.Order, lock Lock) error {
	if dst.snap == nil {
		dst.snap = &snapBlock{}
	}
	if dst.ctx == nil {
		dst.ctx = &Context{}
	}
	dst.reuse = true
	return e.calculate(dst, o, lock)
}

// CalculateEach calculates orders one after another with lock, as
// CalculateInto does into one Calculation it reuses, and calls fn after
// each with the order's index, the calculation and the order's error (nil,
// or what Calculate returns for it: such an order's calculation holds no
// events). The calculation is valid only until fn returns; a non-nil error
// from fn stops the batch and is returned.
//
// While it calculates one group of 16 orders, it reads ahead for the
// next: their lines, and in the genealogy what looking up their
// customer_ref and distributor_ref as member ids and walking their uplines
// will read (a step after each order; a
// distributor_ref that is a referral code is not read ahead), so that the
// next group's memory reads happen while this one computes: on a
// genealogy, or a batch of orders, larger than the processor's caches it
// is the fastest way through a batch on one core. fn must not be nil. The results are those of
// CalculateInto, order by order. Use one lock for a batch of first
// calculations (or of revisions sharing one); for revisions locked
// differently, call CalculateInto with each order's lock.
func (e *Engine) CalculateEach(orders []normalize.Order, lock Lock, fn func(i int, calc *Calculation, err error) error) error {
	calc := Calculation{ctx: &Context{}}
	var ahead tree.Readahead
	// The first group's reads are made at once; each later group's are
	// spread over the calculations of the group before it, a step after
	// each order. What readAhead counts goes to the working memory, so
	// that its reads are made.
	calc.ctx.w.read += e.readAhead(&ahead, orders[:min(len(orders), warmAhead)])
	for ahead.Step() {
	}
	for start := 0; start < len(orders); start += warmAhead {
		group := orders[start:min(len(orders), start+warmAhead)]
		calc.ctx.w.read += e.readAhead(&ahead, orders[min(len(orders), start+warmAhead):min(len(orders), start+2*warmAhead)])
		for i := range group {
			err := e.CalculateInto(&calc, &group[i], lock)
			if err := fn(start+i, &calc, err); err != nil {
				return err
			}
			ahead.Step()
		}
		for ahead.Step() {
		}
	}
	return nil
}

// readAhead starts r on the genealogy reads of orders — their customer_ref
// and distributor_ref, as member ids — and reads their lines (touch),
// returning what touch counted.
func (e *Engine) readAhead(r *tree.Readahead, orders []normalize.Order) int {
	var ids [2 * warmAhead]string
	n, read := 0, 0
	for i := range orders {
		o := &orders[i]
		for _, ref := range [2]string{o.CustomerRef, o.DistributorRef} {
			if ref != "" {
				ids[n] = ref
				n++
			}
		}
		read += touch(o)
	}
	r.Start((*tree.Genealogy)(e.tree), ids[:n], warmLevels)
	return read
}

// touch reads what calculating an order reads first of it — its key, its
// lines' ids and each net's big.Int (a pointer away from the line) — so
// that a group's orders come into the caches together, and returns a count
// for the caller to keep, so that the reads are not optimized away.
func touch(o *normalize.Order) int {
	n := len(o.PlatformOrderID) + len(o.Store)
	for i := range o.Items {
		l := &o.Items[i]
		n += len(l.LineID) + len(l.PlatformSKU) + len(l.VariantID) + l.Net.Sign()
	}
	return n
}

const (
	// warmAhead is how many orders CalculateEach reads ahead for at once:
	// enough misses to overlap, few enough that what they bring stays in
	// the caches until used.
	warmAhead = 16
	// warmLevels is how far up each chain: the levels most plans pay,
	// with room for a few compressed away.
	warmLevels = 12
)

// A group's customer and distributor refs fit one Readahead.
var _ [tree.MaxReadahead - 2*warmAhead]struct{}

// calculate calculates into calc, whose snap is set; with calc.reuse its
// slices' memory is reused.
func (e *Engine) calculate(calc *Calculation, o *normalize.Order, lock Lock) error {
	*calc = Calculation{Events: calc.Events[:0], Breakage: calc.Breakage[:0], snap: calc.snap, reuse: calc.reuse, ctx: calc.ctx}

	key := o.Key()
	if lock.Known.IsZero() {
		return &Error{Order: key, Why: "no knowledge instant", Err: ErrInvalid}
	}
	if o.OrderTS.Before(time.Unix(0, 0)) || o.OrderTS.UnixMilli() >= 1<<48 {
		return &Error{Order: key, Why: "order_ts out of range", Err: ErrInvalid}
	}
	digits, ok := normalize.MinorUnits(o.Currency)
	if !ok {
		return &Error{Order: key, Why: "unknown currency " + o.Currency, Err: ErrInvalid}
	}
	plan, err := e.plan(key, o.OrderTS, lock)
	if err != nil {
		return err
	}
	snap := e.tree.SnapshotAsOf(o.OrderTS, lock.Known)
	credited, customer, err := attribute(snap, o)
	if err != nil {
		if earns(o.Status) {
			return err
		}
		// A pending, cancelled, voided or refunded order earns nothing
		// whoever it is credited to: nothing to hold.
		calc.Lock = Lock{Known: lock.Known, PlanID: plan.ID, PlanVersion: plan.Version}
		calc.Events, calc.Breakage = nil, nil
		s := &calc.snap.snap
		*s = CalcSnapshot{PlanID: plan.ID, PlanVersion: plan.Version,
			Known: lock.Known.UTC(), At: o.OrderTS.UTC(), OrderVersion: o.Version.UTC()}
		calc.Snapshot = s
		return nil
	}
	c := calc.ctx
	if c == nil {
		if c, _ = e.scratch.Get().(*Context); c == nil {
			c = &Context{}
		}
		defer func() { c.release(); e.scratch.Put(c) }()
	}
	lines, err := e.catalog.MapInto(c.w.mapped[:0], o)
	if err != nil {
		return err
	}
	c.w.mapped = lines
	c.reset(e, plan, o, lines, snap, lock.Known, credited, customer, digits)

	for i, r := range plan.Rules {
		c.rule = int32(i)
		if err := r.Apply(c); err != nil {
			if ce, ok := err.(*Error); ok {
				if ce.Order.OrderID == "" {
					ce.Order = key
				}
				if ce.Rule == "" {
					ce.Rule = r.Name()
				}
				return ce
			}
			return &Error{Order: key, Rule: r.Name(), Why: err.Error(), Err: ErrInvalid}
		}
	}
	if i := c.sortDrafts(); i >= 0 {
		d := &c.w.drafts[c.w.seq[i]]
		return &Error{Order: key, LineID: lines[d.line].LineID, Rule: plan.Rules[d.rule].Name(),
			Why: "two payouts in one slot (beneficiary " + e.tree.ID(d.ben) + ")", Err: ErrInvalid}
	}
	if err := c.applyCap(plan); err != nil {
		return err
	}
	calc.Lock = Lock{Known: lock.Known, PlanID: plan.ID, PlanVersion: plan.Version}
	calc.digits = int8(digits)
	if plan.hasCap {
		calc.capAmt = c.w.capAmt
		calc.Capped = c.w.capped != (capInfo{})
	}
	calc.Snapshot = c.snapshot(plan, calc.snap)
	calc.Lines = lines
	if calc.ctx == nil {
		// Calculate's working memory goes back to the pool: its lines
		// must be the calculation's own.
		calc.Lines = slices.Clone(lines)
	}
	calc.Events = c.events(calc.Snapshot, calc.Events, calc.reuse)
	calc.Breakage = c.breakage(calc.Breakage, calc.reuse)
	return nil
}

// calcBlock holds what one calculation returns besides its events, in one
// allocation.
type calcBlock struct {
	calc Calculation
	snap snapBlock
}

// snapBlock holds a calculation's snapshot with room for a usual upline
// and lines, and its Cap.
type snapBlock struct {
	snap  CalcSnapshot
	up    [12]Link
	lines [4]LineRef
	cap   Cap
}

func (e *Engine) plan(key normalize.Key, at time.Time, lock Lock) (*compiled, error) {
	if lock.PlanID != "" {
		for i := range e.plans {
			if p := &e.plans[i]; p.ID == lock.PlanID && p.Version == lock.PlanVersion {
				return p, nil
			}
		}
		return nil, &Error{Order: key, Why: "locked plan " + lock.PlanID + " version " + itoa(lock.PlanVersion) + " is not loaded", Err: ErrNoPlan}
	}
	for i := len(e.plans) - 1; i >= 0; i-- {
		if !e.plans[i].EffectiveFrom.After(at) {
			return &e.plans[i], nil
		}
	}
	return nil, &Error{Order: key, Why: "no version of plan " + e.plans[0].ID + " in force at " + at.UTC().Format(time.RFC3339Nano), Err: ErrNoPlan}
}

// earns reports whether an order in status s earns anything: only paid
// value does (see sku.Catalog.Map).
func earns(s normalize.Status) bool {
	return s == normalize.StatusPaid || s == normalize.StatusPartiallyRefunded
}

// attribute decides who an order is credited to; see the package overview.
func attribute(s hierarchy.Snapshot, o *normalize.Order) (credited, customer hierarchy.Member, err error) {
	customer = hierarchy.None
	if o.CustomerRef != "" {
		if m, err := s.Lookup(o.CustomerRef); err == nil {
			switch k, _ := s.Kind(m); k {
			case hierarchy.Retail:
				owner, err := s.Sponsor(m)
				if err == nil && owner != hierarchy.None {
					return owner, m, nil
				}
			case hierarchy.Distributor:
				return m, hierarchy.None, nil
			}
		}
	}
	if o.DistributorRef != "" {
		if m, err := s.Resolve(o.DistributorRef); err == nil {
			return distributor(s, o, m)
		}
		if m, err := s.Lookup(o.DistributorRef); err == nil {
			return distributor(s, o, m)
		}
	}
	return hierarchy.None, hierarchy.None, &Error{Order: o.Key(),
		Why: "neither customer_ref " + quote(o.CustomerRef) + " nor distributor_ref " + quote(o.DistributorRef) +
			" names a member known at " + o.OrderTS.UTC().Format(time.RFC3339Nano), Err: ErrUnattributed}
}

func distributor(s hierarchy.Snapshot, o *normalize.Order, m hierarchy.Member) (hierarchy.Member, hierarchy.Member, error) {
	if k, _ := s.Kind(m); k != hierarchy.Distributor {
		return hierarchy.None, hierarchy.None, &Error{Order: o.Key(),
			Why: "distributor_ref " + quote(o.DistributorRef) + " names a retail customer", Err: ErrUnattributed}
	}
	return m, hierarchy.None, nil
}

func quote(s string) string { return `"` + s + `"` }

// applyCap scales the drafts, in event order, down to the plan's cap when
// they exceed it. It computes what normalize.Allocate computes — each
// event's floor share of the cap in proportion to its amount, the cents
// left over to the largest remainders, ties to the earlier event — in
// integers.
func (c *Context) applyCap(plan *compiled) error {
	if !plan.hasCap {
		return nil
	}
	var net int64
	for i := range c.lines {
		b := c.basisOf(i, BasisNet)
		if !b.ok {
			return &Error{Order: c.order.Key(), LineID: c.lines[i].LineID, Why: "net out of range", Err: ErrOverflow}
		}
		n := net + b.f.v // net is in minor units already (see reset)
		if (b.f.v > 0 && n < net) || (b.f.v < 0 && n > net) {
			return &Error{Order: c.order.Key(), Why: "net out of range", Err: ErrOverflow}
		}
		net = n
	}
	capAmt, ok := mulFloor(net, plan.cap)
	if !ok {
		return &Error{Order: c.order.Key(), Why: "cap out of range", Err: ErrOverflow}
	}
	c.w.capAmt = capAmt
	total := c.w.total
	if c.w.totalWrapped || total > 1<<63-1 {
		return &Error{Order: c.order.Key(), Why: "total out of range", Err: ErrOverflow}
	}
	if int64(total) <= capAmt {
		return nil
	}
	c.w.capped = capInfo{share: plan.cap, basis: net, amount: capAmt, uncapped: int64(total)}
	// 0 ≤ capAmt < total and each amount ≤ total, so capAmt × amount /
	// total fits in 64 bits and Div64 cannot overflow.
	rems := c.w.rems[:0]
	var given uint64
	for _, j := range c.w.seq {
		d := &c.w.drafts[j]
		hi, lo := bits.Mul64(uint64(capAmt), uint64(d.amount))
		q, r := bits.Div64(hi, lo, total)
		d.uncapped = d.amount
		d.amount = int64(q)
		given += q
		rems = append(rems, capRem{rem: r, i: j})
	}
	// Largest remainders first, ties to the earlier event (a stable sort).
	for i := 1; i < len(rems); i++ {
		for j := i; j > 0 && rems[j].rem > rems[j-1].rem; j-- {
			rems[j], rems[j-1] = rems[j-1], rems[j]
		}
	}
	for k := uint64(0); k < uint64(capAmt)-given; k++ {
		c.w.drafts[rems[k].i].amount++
	}
	c.w.rems = rems
	kept := c.w.seq[:0]
	for _, j := range c.w.seq {
		if c.w.drafts[j].amount != 0 {
			kept = append(kept, j)
		}
	}
	c.w.seq = kept
	return nil
}

// capRem is an event's remainder in the cap's allocation.
type capRem struct {
	rem uint64
	i   int32
}

// mulFloor returns floor(v × r × 10^-9) for v, r ≥ 0.
func mulFloor(v, r int64) (int64, bool) {
	if v < 0 || r < 0 {
		return 0, false
	}
	hi, lo := mul64(uint64(v), uint64(r))
	qhi, q, _ := div128(hi, lo, rateOne)
	if qhi != 0 || q > 1<<63-1 {
		return 0, false
	}
	return int64(q), true
}

// sortDrafts puts the drafts in event order — line, rule, level, then
// beneficiary id — in c.w.seq, which lists the drafts' indexes (the drafts
// themselves stay where the rules appended them), and returns the index
// in c.w.seq of a draft in the same slot as the one before it, or -1. The
// rules run in plan order and the built-in ones pay in increasing level,
// so the drafts usually need only a stable bucketing by line (a counting
// sort of the per-line counts draft kept); when draft saw a line's drafts
// arrive out of (rule, level) order — only a custom rule makes that
// happen — it falls back to a comparison sort. In order, no two drafts of
// a line share a (rule, level), so there is no slot to compare.
func (c *Context) sortDrafts() int {
	n := len(c.w.drafts)
	seq := slices.Grow(c.w.seq[:0], n)[:n]
	c.w.seq = seq
	if len(c.lines) == 1 {
		for i := range seq {
			seq[i] = int32(i)
		}
	} else {
		at := c.w.counts[:0] // where each line's drafts start in seq
		sum := int32(0)
		for i := range c.w.lineOrder {
			at = append(at, sum)
			sum += c.w.lineOrder[i].n
		}
		for i := range c.w.drafts {
			l := c.w.drafts[i].line
			seq[at[l]] = int32(i)
			at[l]++
		}
		c.w.counts = at
	}
	if !c.w.unordered {
		return -1
	}
	c.sortSlow()
	for i := 1; i < len(seq); i++ {
		if c.sameSlot(&c.w.drafts[seq[i-1]], &c.w.drafts[seq[i]]) {
			return i
		}
	}
	return -1
}

// lineOrder is what draft keeps per line for sortDrafts: how many drafts
// the line has and the (rule, level) of its last.
type lineOrder struct {
	n    int32
	last int64 // rule<<32 | level, -1 before the first
}

// sortSlow sorts c.w.seq by comparison.
func (c *Context) sortSlow() {
	g := c.engine.tree
	slices.SortStableFunc(c.w.seq, func(i, j int32) int {
		a, b := &c.w.drafts[i], &c.w.drafts[j]
		if x := cmp.Compare(a.line, b.line); x != 0 {
			return x
		}
		if x := cmp.Compare(a.rule, b.rule); x != 0 {
			return x
		}
		if x := cmp.Compare(a.level, b.level); x != 0 {
			return x
		}
		if a.ben == b.ben {
			return 0
		}
		return cmp.Compare(g.ID(a.ben), g.ID(b.ben))
	})
}

func (c *Context) sameSlot(a, b *draft) bool {
	return a.line == b.line && a.rule == b.rule && a.level == b.level && a.ben == b.ben
}

// memberRef is a beneficiary's id and its hash for event ids, looked up
// once per calculation: h(id) for a member outside the chain, and for
// the chain's members (by level), b = benLevel(h(id), level).
type memberRef struct {
	m    hierarchy.Member
	id   string
	hash uint64
}

// member returns the id and id hash of a beneficiary outside the chain
// (a custom rule may pay anyone in the snapshot).
func (c *Context) member(h *orderHash, m hierarchy.Member) *memberRef {
	for i := range c.w.members {
		if c.w.members[i].m == m {
			return &c.w.members[i]
		}
	}
	id := c.engine.tree.ID(m)
	c.w.members = append(c.w.members, memberRef{m: m, id: id, hash: h.strHash(id)})
	return &c.w.members[len(c.w.members)-1]
}

// events builds the events of the ordered drafts. Everything events of one
// calculation share is set once in a prototype that each event starts as;
// the line's, component's and rule's part of the id is hashed once per
// (line, rule); a beneficiary's id is read from the snapshot (for the
// chain, by level) and hashed once.
func (c *Context) events(snap *CalcSnapshot, out []Event, reuse bool) []Event {
	if len(c.w.seq) == 0 {
		return out[:0]
	}
	out = sized(out, len(c.w.seq), reuse)
	h := hashOrder(c.order.Key())
	ms := uint64(c.order.OrderTS.UnixMilli()) // checked by Calculate
	// bens[L] is the member at level L: the credited distributor, then
	// the chain up to the highest level paid, each hashed with its level
	// here, in a loop of its own: their ids' bytes are usually not in the
	// caches, and reading them all at once lets the processor wait for
	// them together.
	bens := append(c.w.bens[:0], memberRef{m: c.credited, id: snap.Credited.Member})
	for i := range c.w.chain[:min(len(c.w.chain), int(c.w.maxLevel))] {
		bens = append(bens, memberRef{m: c.w.chain[i].m, id: snap.Upline[i].Member})
	}
	for lv := range bens {
		bens[lv].hash = benLevel(h.strHash(bens[lv].id), lv)
	}
	c.w.bens = bens
	c.w.ruleHashes = append(c.w.ruleHashes[:0], make([]refHash, len(c.plan.Rules))...)
	proto := Event{Order: c.order.Key(), Kind: KindCommission, Currency: c.order.Currency,
		Effective: c.order.OrderTS, Snapshot: snap, digits: int8(c.digits)}
	var prefix, linePrefix idState
	line, rule := int32(-1), int32(-1)
	for i, j := range c.w.seq {
		d := &c.w.drafts[j]
		if d.line != line || d.rule != rule {
			if d.line != line {
				l := &c.lines[d.line]
				proto.LineID, proto.Component = l.LineID, componentOf(l)
				linePrefix = h.start().absorb(&h, h.strHash(proto.LineID)).absorb(&h, h.strHash(proto.Component))
			}
			line, rule = d.line, d.rule
			proto.Rule = c.plan.Rules[rule].Name()
			rh := &c.w.ruleHashes[rule]
			if !rh.ok {
				*rh = refHash{hash: h.strHash(proto.Rule), ok: true}
			}
			prefix = linePrefix.absorb(&h, rh.hash) // = h.prefix(lineID, component, rule)
		}
		// Most payouts go to the chain's member at the event's level, whose
		// part of the id is hashed above; a roll-up (paid at the level it
		// rolled up from) or a custom rule may pay another member.
		var id string
		var b uint64
		if lv := int(d.level); lv < len(bens) && bens[lv].m == d.ben {
			id, b = bens[lv].id, bens[lv].hash
		} else {
			ben := c.member(&h, d.ben)
			id, b = ben.id, benLevel(ben.hash, lv)
		}
		e := &out[i]
		*e = proto
		e.Beneficiary = id
		e.Level, e.PaidLevel = int(d.level), int(d.paid)
		e.basisV, e.basisScale = d.basis.v, d.basis.scale
		e.rate, e.amount, e.uncapped = d.rate, d.amount, d.uncapped
		prefix.absorb(&h, b).put(&e.ID, ms)
	}
	return out
}

// refHash is the hash of a rule's name, computed when first needed.
type refHash struct {
	hash uint64
	ok   bool
}

func componentOf(l *sku.Mapped) string {
	if l.Component == sku.NoComponent {
		return ""
	}
	return l.SKU.ID
}

func (c *Context) breakage(out []Breakage, reuse bool) []Breakage {
	if len(c.w.broken) == 0 {
		return out[:0]
	}
	out = sized(out, len(c.w.broken), reuse)
	for i, b := range c.w.broken {
		l := &c.lines[b.line]
		out[i] = Breakage{LineID: l.LineID, Component: componentOf(l), Rule: c.plan.Rules[b.rule].Name(),
			Level: int(b.level), amount: b.amount, digits: int8(c.digits)}
		if b.member != hierarchy.None {
			out[i].Member = c.engine.tree.ID(b.member)
		}
	}
	return out
}

// sized returns n elements: out's memory when reuse allows (CalculateInto),
// else a new slice.
func sized[T any](out []T, n int, reuse bool) []T {
	if reuse && cap(out) >= n {
		return out[:n]
	}
	return make([]T, n)
}
