package ledger

import (
	"encoding/binary"
	"maps"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/eventraw"
	"github.com/uplinehq/upline/internal/strtab"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Memory keeps each entry as one record of bytes in an arena of large
// byte chunks, with the strings, decimals and locations it holds interned
// in tables, and makes the Entry again on every read. The arena holds no
// pointers, so the garbage collector never scans it, and an entry costs
// about what its fields take to write down (a few dozen bytes, where the
// typed Entry with its event, body and snapshot takes kilobytes).
// Interned values are shared by the entries read: strings and decimals are
// immutable, so sharing them is sharing nothing a caller can change.

// memTables interns what records refer to by number. String 0 is "",
// decimal 0 the zero Decimal{}, location 0 UTC.
type memTables struct {
	strs   []string
	strIdx map[string]uint32
	decs   []decimal.Decimal
	decIdx map[decKey]uint32
	bigIdx map[string]uint32 // decimals whose coefficient is beyond int64
	locs   []*time.Location
	locIdx map[*time.Location]uint32
	// seen holds strings interned last, by a hash of a few of their
	// bytes: an entry's member, currency, rule and order key most often
	// repeat one of the entry before, and comparing a short string costs
	// a fraction of a map's lookup. Written on the append path only
	// (under the store's write lock), as the tables are.
	// Only the string's number is kept: a string stored here would cost a
	// write barrier while the garbage collector marks.
	seen [strSeen]uint32
	// decSeen does for decimals what seen does for strings, by a hash of
	// their coefficient and exponent; decKeys holds each decimal's, by
	// number (ok is false for one beyond int64, which decSeen never
	// holds).
	decSeen [strSeen]uint32
	decKeys []smallDec
	// snaps are the arena addresses of the calculation snapshots events
	// refer to, each written once however many events share it.
	snaps []uint64
	// reports are the arena addresses of the awards' reports, each
	// written once an append however many awards share it.
	reports []uint64
	// heads are the arena addresses of appends' headers: what an append's
	// first entry says of its posting, revision, lock, placing and order,
	// which its other entries most often repeat and then do not write.
	heads []uint64
}

type decKey struct {
	coef int64
	exp  int32
}

type smallDec struct {
	k  decKey
	ok bool
}

func (t *memTables) init() {
	t.strs, t.strIdx = []string{""}, map[string]uint32{"": 0}
	t.decs, t.decIdx, t.bigIdx, t.decKeys = []decimal.Decimal{{}}, map[decKey]uint32{}, map[string]uint32{}, []smallDec{{}}
	t.locs, t.locIdx = []*time.Location{time.UTC}, map[*time.Location]uint32{time.UTC: 0}
}

const strSeen = 256

func (t *memTables) str(s string) uint32 {
	n := len(s)
	if n == 0 {
		return 0
	}
	c := &t.seen[(uint(n)*131+uint(s[0])*31+uint(s[n/2])*7+uint(s[n-1]))%strSeen]
	if t.strs[*c] == s {
		return *c
	}
	i, ok := t.strIdx[s]
	if !ok {
		s = strings.Clone(s) // not a substring of a caller's large string
		i = uint32(len(t.strs))
		t.strs = append(t.strs, s)
		t.strIdx[s] = i
	}
	*c = i
	return i
}

func (t *memTables) dec(d decimal.Decimal) uint32 {
	if d == (decimal.Decimal{}) {
		return 0
	}
	var i uint32
	var ok bool
	if d.NumDigits() <= 18 {
		k := decKey{d.CoefficientInt64(), d.Exponent()}
		c := &t.decSeen[(uint64(k.coef)*0x9e3779b97f4a7c15+uint64(uint32(k.exp)))>>32%strSeen]
		if sk := t.decKeys[*c]; sk.ok && sk.k == k {
			return *c
		}
		if i, ok = t.decIdx[k]; !ok {
			i = uint32(len(t.decs))
			t.decs = append(t.decs, decimal.New(k.coef, k.exp))
			t.decKeys = append(t.decKeys, smallDec{k, true})
			t.decIdx[k] = i
		}
		*c = i
		return i
	}
	k := d.Coefficient().String() + "e" + string(binary.AppendVarint(nil, int64(d.Exponent())))
	if i, ok = t.bigIdx[k]; !ok {
		i = uint32(len(t.decs))
		t.decs = append(t.decs, decimal.NewFromBigInt(d.Coefficient(), d.Exponent()))
		t.decKeys = append(t.decKeys, smallDec{})
		t.bigIdx[k] = i
	}
	return i
}

func (t *memTables) loc(l *time.Location) uint32 {
	if l == time.UTC {
		return 0 // most instants
	}
	if i, ok := t.locIdx[l]; ok {
		return i
	}
	i := uint32(len(t.locs))
	t.locs = append(t.locs, l)
	t.locIdx[l] = i
	return i
}

// memArena holds records in chunks that never move, addressed by chunk
// and offset.
type memArena struct {
	chunks [][]byte
}

const arenaChunk = 1 << 20

func (a *memArena) add(rec []byte) uint64 {
	n := len(a.chunks)
	if n == 0 || len(a.chunks[n-1])+len(rec) > cap(a.chunks[n-1]) {
		a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, len(rec))))
		n++
	}
	c := &a.chunks[n-1]
	off := len(*c)
	*c = append(*c, rec...)
	return uint64(n-1)<<32 | uint64(off)
}

func (a *memArena) at(addr uint64) []byte {
	return a.chunks[addr>>32][addr&(1<<32-1):]
}

// blocks is a list kept in blocks that never move: appending to a long
// one copies nothing, so that no append on a large ledger waits for its
// lists to be copied, and a list's blocks together are the size of the
// list, so that a growing list allocates what it holds and no more.
// The first block grows as a slice up to blockFirst elements (most lists
// are short); block k after it holds blockFirst<<(k-1) elements up to
// blockLen, and every block from there blockLen: block k > 0 starts at
// element blockFirst<<(k-1) below blockLen.
type blocks[T any] struct {
	b [][]T
	n int
}

const (
	blockFirst = 1 << 4
	blockLen   = 1 << 12
	// blocks 0 to blockShift cover [0, blockLen); block blockShift+j,
	// j ≥ 1, covers [j×blockLen, (j+1)×blockLen).
	blockShift = 8
)

func (l *blocks[T]) add(v T) {
	if len(l.b) == 0 {
		l.b = append(l.b, nil)
	} else if last := l.b[len(l.b)-1]; len(l.b) == 1 && len(last) == blockFirst || len(l.b) > 1 && len(last) == cap(last) {
		l.b = append(l.b, make([]T, 0, min(l.n, blockLen)))
	}
	last := &l.b[len(l.b)-1]
	*last = append(*last, v)
	l.n++
}

func (l *blocks[T]) at(i uint32) T {
	if i < blockFirst {
		return l.b[0][i]
	}
	if i < blockLen {
		k := bits.Len32(i / blockFirst)
		return l.b[k][i-blockFirst<<(k-1)]
	}
	return l.b[blockShift+i/blockLen][i%blockLen]
}

// ID kinds: written out, an event's ULID (its 16 bytes), or the stream's
// name between a prefix and a suffix (an order's revision and volume
// entries).
const (
	idRaw byte = iota
	idULID
	idStream
)

// Flags of an entry record, written after its id: recDerived, that the
// entry's member, currency, instant and rule are its event's (and its
// order, which the entry writes); the others, that a field is its
// append's header's.
const (
	recDerived byte = 1 << iota
	recPosted
	recRevision
	recLock
	recPlaced
	recOrder
	recHead = recPosted | recRevision | recLock | recPlaced | recOrder
)

// enc writes one record.
type enc struct {
	b       []byte
	t       *memTables
	prevSec int64
	// lastKey is the order key last written, as its strings' numbers:
	// an order's entries, events and body repeat it.
	lastKey    normalize.Key
	lastKeyIDs [3]uint32
	// head is the entry whose fields the append's header holds, and
	// headN the header's number in tables' heads; nil for none.
	head  *Entry
	headN uint64
	// member, currency and amount are the numbers of the last entry's
	// (in tables' strs and decs), for the store's member lists.
	member, currency, amount uint32
	// arena takes the awards' reports, each a record of its own;
	// reports numbers those written by this append.
	arena   *memArena
	reports map[*commission.MemberReport]uint32
}

// uv writes x as binary.AppendUvarint does. Every write appends to e.b in
// place, which stores only its length: while the garbage collector marks,
// storing a slice's pointer costs a write barrier, and a record is dozens
// of writes.
func (e *enc) uv(x uint64) {
	if x < 0x80 {
		e.b = append(e.b, byte(x))
		return
	}
	e.uvLong(x)
}

func (e *enc) uvLong(x uint64) {
	for x >= 0x80 {
		e.b = append(e.b, byte(x)|0x80)
		x >>= 7
	}
	e.b = append(e.b, byte(x))
}

// v writes x as binary.AppendVarint does (zig-zag).
func (e *enc) v(x int64) { e.uv(uint64(x)<<1 ^ uint64(x>>63)) }

func (e *enc) byte(x byte)           { e.b = append(e.b, x) }
func (e *enc) str(s string)          { e.uv(uint64(e.t.str(s))) }
func (e *enc) raw(s string)          { e.uv(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) dec(d decimal.Decimal) { e.uv(uint64(e.t.dec(d))) }
func (e *enc) bool(x bool) {
	if x {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// count writes a slice's length, 0 for a nil slice.
func (e *enc) count(n int, isNil bool) {
	if isNil {
		e.uv(0)
	} else {
		e.uv(uint64(n) + 1)
	}
}

// time writes t's location (0 for the zero Time), and its seconds as the
// difference from the record's previous instant, most often small.
func (e *enc) time(t time.Time) {
	if t == (time.Time{}) {
		e.uv(0)
		return
	}
	sec := t.Unix()
	e.uv(uint64(e.t.loc(t.Location())) + 1)
	e.v(sec - e.prevSec)
	e.uv(uint64(t.Nanosecond()))
	e.prevSec = sec
}

// bit returns 1<<i when p holds, else 0.
func bit(p bool, i uint) byte {
	if p {
		return 1 << i
	}
	return 0
}

func (e *enc) key(k normalize.Key) {
	if k.Platform == "" && k.Store == "" && k.OrderID == "" {
		e.b = append(e.b, 0, 0, 0) // most entries have no ReplacedBy: the order's key stays the last
		return
	}
	if k != e.lastKey {
		e.lastKey, e.lastKeyIDs = k, [3]uint32{e.t.str(string(k.Platform)), e.t.str(k.Store), e.t.str(k.OrderID)}
	}
	for _, i := range e.lastKeyIDs {
		e.uv(uint64(i))
	}
}

// entry writes en, appended to stream number si whose name is stream.
// snap returns the number of an event's snapshot, written once.
func (e *enc) entry(en *Entry, si uint32, stream string, snap func(*commission.CalcSnapshot) uint32) {
	e.prevSec = 0
	e.uv(uint64(si))
	e.uv(uint64(en.Seq))
	e.byte(byte(en.Type))
	idIsEvent := en.Event != nil && isULIDString(en.Event.ID, en.ID)
	switch pre, post, ok := strings.Cut(en.ID, stream); {
	case idIsEvent:
		e.byte(idULID)
		e.b = append(e.b, en.Event.ID[:]...)
	case ok && stream != "":
		e.byte(idStream)
		e.raw(pre)
		e.raw(post)
	default:
		e.byte(idRaw)
		e.raw(en.ID)
	}
	// An event's entry most often says what its event says: its member,
	// currency, instant, order and rule are then written once.
	ev := en.Event
	derived := ev != nil && en.Member == ev.Beneficiary && en.Currency == ev.Currency && en.Rule == ev.Rule &&
		en.Order == ev.Order && sameInstant(en.Effective, ev.Effective)
	var flags byte
	if derived {
		flags |= recDerived
	}
	if h := e.head; h != nil {
		if sameInstant(en.Posted, h.Posted) {
			flags |= recPosted
		}
		if sameInstant(en.Revision, h.Revision) {
			flags |= recRevision
		}
		if sameInstant(en.Lock.Known, h.Lock.Known) && en.Lock.PlanID == h.Lock.PlanID && en.Lock.PlanVersion == h.Lock.PlanVersion {
			flags |= recLock
		}
		if sameInstant(en.Placed, h.Placed) {
			flags |= recPlaced
		}
		if en.Order == h.Order {
			flags |= recOrder
		}
	}
	e.byte(flags)
	if flags&recHead != 0 {
		e.uv(e.headN)
	}
	if !derived {
		e.member = e.t.str(en.Member)
		e.currency = e.t.str(en.Currency)
		e.uv(uint64(e.member))
		e.uv(uint64(e.currency))
	}
	e.amount = e.t.dec(en.Amount)
	e.uv(uint64(e.amount))
	if !derived {
		e.time(en.Effective)
	}
	if flags&recPosted == 0 {
		e.time(en.Posted)
	}
	if flags&recOrder == 0 {
		e.key(en.Order) // a derived entry's too: its event's then says it is the entry's
	}
	if flags&recRevision == 0 {
		e.time(en.Revision)
	}
	if flags&recLock == 0 {
		e.time(en.Lock.Known)
		e.str(en.Lock.PlanID)
		e.v(int64(en.Lock.PlanVersion))
	}
	if flags&recPlaced == 0 {
		e.time(en.Placed)
	}
	if !derived {
		e.str(en.Rule)
	}
	e.key(en.ReplacedBy)
	e.str(en.Run)
	e.dec(en.Withheld)
	e.str(en.Reason)
	e.byte(bit(en.Event != nil, 0) | bit(en.Body != nil, 1) | bit(en.Refund != nil, 2) | bit(en.Volume != nil, 3) |
		bit(en.RunParams != nil, 4) | bit(en.Award != nil, 5) | bit(en.Carry != nil, 6) | bit(en.Close != nil, 7))
	if ev != nil {
		e.event(ev, en, idIsEvent, derived, snap)
	}
	if en.Body != nil {
		e.order(en.Body)
	}
	if en.Refund != nil {
		e.refund(en.Refund)
	}
	if v := en.Volume; v != nil {
		e.str(v.LineID)
		e.str(v.Component)
		e.dec(v.PV)
		e.dec(v.QV)
		e.dec(v.CV)
		e.dec(v.Net)
		e.str(v.Customer)
	}
	if r := en.RunParams; r != nil {
		e.run(r)
	}
	if en.Award != nil {
		e.award(en.Award, en)
	}
	if c := en.Carry; c != nil {
		e.str(c.Rule)
		e.str(c.Member)
		e.v(int64(c.Leg))
		e.dec(c.Volume)
	}
	if c := en.Close; c != nil {
		e.str(c.Plan)
		e.v(int64(c.Version))
		e.str(c.Period)
		e.time(c.From)
		e.time(c.To)
		e.time(c.Known)
	}
}

// event writes en's event ev; derived reports that en's member,
// currency, instant and rule are ev's, which the entry did not write.
func (e *enc) event(ev *commission.Event, en *Entry, idIsEvent, derived bool, snap func(*commission.CalcSnapshot) uint32) {
	if !idIsEvent {
		e.b = append(e.b, ev.ID[:]...)
	}
	if ev.Order == en.Order {
		e.byte(1)
	} else {
		e.byte(0)
		e.key(ev.Order)
	}
	e.str(ev.LineID)
	e.str(ev.Component)
	beneficiary := e.t.str(ev.Beneficiary)
	e.uv(uint64(beneficiary))
	e.str(ev.Rule)
	e.byte(byte(ev.Kind))
	e.v(int64(ev.Level))
	e.v(int64(ev.PaidLevel))
	currency := e.t.str(ev.Currency)
	e.uv(uint64(currency))
	if derived {
		e.member, e.currency = beneficiary, currency
	}
	e.time(ev.Effective)
	if ev.Corrects == (ulid.ULID{}) {
		e.byte(0)
	} else {
		e.byte(1)
		e.b = append(e.b, ev.Corrects[:]...)
	}
	if ev.Snapshot == nil {
		e.uv(0)
	} else {
		e.uv(uint64(snap(ev.Snapshot)) + 1)
	}
	f := eventraw.Of(ev)
	e.v(f.BasisV)
	e.v(f.Rate)
	e.v(f.Amount)
	e.v(f.Uncapped)
	e.byte(byte(f.BasisScale))
	e.byte(byte(f.Digits))
}

// header writes the header of an append whose first entry is h.
func (e *enc) header(h *Entry) {
	e.prevSec = 0
	e.time(h.Posted)
	e.time(h.Revision)
	e.time(h.Lock.Known)
	e.str(h.Lock.PlanID)
	e.v(int64(h.Lock.PlanVersion))
	e.time(h.Placed)
	e.key(h.Order)
}

func (e *enc) snapshot(s *commission.CalcSnapshot) {
	e.prevSec = 0
	e.str(s.PlanID)
	e.v(int64(s.PlanVersion))
	e.time(s.Known)
	e.time(s.At)
	e.time(s.OrderVersion)
	e.link(&s.Credited)
	e.str(s.Customer)
	e.count(len(s.Upline), s.Upline == nil)
	for i := range s.Upline {
		e.link(&s.Upline[i])
	}
	e.count(len(s.Lines), s.Lines == nil)
	for i := range s.Lines {
		l := &s.Lines[i]
		e.str(l.LineID)
		e.str(l.Component)
		e.str(l.SKU.ID)
		e.time(l.SKU.EffectiveFrom)
		e.str(l.Kit.ID)
		e.time(l.Kit.EffectiveFrom)
		e.str(l.Class)
	}
	if c := s.Cap; c == nil {
		e.byte(0)
	} else {
		e.byte(1)
		e.dec(c.Share)
		e.dec(c.Basis)
		e.dec(c.Amount)
		e.dec(c.Uncapped)
	}
}

// Award fields that are most often the entry's, flagged instead of
// written again.
const (
	awardIDIsEntry byte = 1 << iota
	awardBeneficiaryIsMember
	awardRuleIsEntry
	awardCurrencyIsEntry
)

// award writes a, the award of en. Its report (its calc_snapshot) is a
// record of its own, written once an append: a beneficiary's awards, one
// a period rule, share one report, which holds its legs and rank trace.
func (e *enc) award(a *commission.Award, en *Entry) {
	same := bit(isULIDString(a.ID, en.ID), 0) | bit(a.Beneficiary == en.Member, 1) |
		bit(a.Rule == en.Rule, 2) | bit(a.Currency == en.Currency, 3)
	e.byte(same)
	if same&awardIDIsEntry == 0 {
		e.b = append(e.b, a.ID[:]...)
	}
	e.str(a.Plan)
	e.str(a.Period)
	if same&awardRuleIsEntry == 0 {
		e.str(a.Rule)
	}
	if same&awardBeneficiaryIsMember == 0 {
		e.str(a.Beneficiary)
	}
	e.str(a.Source)
	e.v(int64(a.Level))
	e.v(int64(a.PaidLevel))
	e.byte(byte(a.Kind))
	if same&awardCurrencyIsEntry == 0 {
		e.str(a.Currency)
	}
	e.time(a.Effective)
	if a.Corrects == (ulid.ULID{}) {
		e.byte(0)
	} else {
		e.byte(1)
		e.b = append(e.b, a.Corrects[:]...)
	}
	e.count(len(a.Figures), a.Figures == nil)
	for _, f := range a.Figures {
		e.str(f.Name)
		e.decimal(f.Value)
	}
	f := eventraw.AwardOf(a)
	e.v(f.BasisV)
	e.v(f.Rate)
	e.v(f.Amount)
	e.byte(byte(f.BasisScale))
	e.byte(byte(f.Digits))
	r := a.Snapshot()
	if r == nil {
		e.uv(0)
		return
	}
	i, ok := e.reports[r]
	if !ok {
		if e.reports == nil {
			e.reports = make(map[*commission.MemberReport]uint32)
		}
		// The report's record is written after the award's, then cut
		// from it.
		n, prev := len(e.b), e.prevSec
		e.report(r)
		i = uint32(len(e.t.reports))
		e.t.reports = append(e.t.reports, e.arena.add(e.b[n:]))
		e.b, e.prevSec = e.b[:n], prev
		e.reports[r] = i
	}
	e.uv(uint64(i) + 1)
}

func (e *enc) report(r *commission.MemberReport) {
	e.prevSec = 0
	e.str(r.PlanID)
	e.v(int64(r.PlanVersion))
	e.str(r.Period.ID)
	e.time(r.Period.From)
	e.time(r.Period.To)
	e.time(r.Known)
	e.str(r.Member)
	v := &r.Volumes
	for _, d := range [...]decimal.Decimal{v.PV, v.QV, v.CV, v.Own, v.GV, v.OGV} {
		e.decimal(d)
	}
	e.v(int64(v.Enrolled))
	e.bool(v.Active)
	e.ranks(r.Ranks)
	e.ranks(r.Previous)
	e.str(r.RankName)
	e.legs(r.Legs)
	e.count(len(r.Trace), r.Trace == nil)
	for i := range r.Trace {
		e.try(&r.Trace[i])
	}
	if r.Next == nil {
		e.byte(0)
	} else {
		e.byte(1)
		e.try(r.Next)
	}
}

// decimal writes d in place, not interned: a report's volumes are its
// member's, most of them found in no other record.
func (e *enc) decimal(d decimal.Decimal) {
	switch {
	case d == (decimal.Decimal{}):
		e.byte(0)
	case d.NumDigits() <= 18:
		e.byte(1)
		e.v(d.CoefficientInt64())
		e.v(int64(d.Exponent()))
	default:
		e.byte(2)
		e.raw(d.Coefficient().String())
		e.v(int64(d.Exponent()))
	}
}

func (e *enc) ranks(r hierarchy.Ranks) {
	e.uv(uint64(r.PaidAs))
	e.uv(uint64(r.Highest))
}

func (e *enc) legs(ls []commission.LegReport) {
	e.count(len(ls), ls == nil)
	for i := range ls {
		l := &ls[i]
		e.str(l.Member)
		e.decimal(l.Volume)
		e.decimal(l.Counted)
		e.uv(uint64(l.Rank))
	}
}

func (e *enc) try(t *commission.RankTry) {
	e.uv(uint64(t.Rank))
	e.str(t.Name)
	e.bool(t.Met)
	e.count(len(t.Failed), t.Failed == nil)
	for i := range t.Failed {
		f := &t.Failed[i]
		e.str(f.Requirement)
		e.decimal(f.Have)
		e.decimal(f.Need)
		e.uv(uint64(f.Rank))
		e.legs(f.Capped)
	}
}

func (e *enc) link(l *commission.Link) {
	e.str(l.Member)
	e.v(int64(l.Level))
	e.byte(byte(l.Status))
	e.uv(uint64(l.PaidAs))
	e.uv(uint64(l.Highest))
}

func (e *enc) order(o *normalize.Order) {
	e.str(string(o.Platform))
	e.str(o.Store)
	e.str(o.PlatformOrderID)
	e.str(o.OrderNumber)
	e.str(o.ReplacesOrderID)
	e.time(o.Version)
	e.time(o.OrderTS)
	e.str(string(o.Status))
	e.str(o.Currency)
	e.str(o.PresentmentCurrency)
	e.dec(o.PresentmentTotal)
	e.str(o.DistributorRef)
	e.str(o.CustomerRef)
	e.bool(o.GrossIncludesTax)
	e.count(len(o.Items), o.Items == nil)
	for i := range o.Items {
		l := &o.Items[i]
		e.str(l.LineID)
		e.str(l.PlatformSKU)
		e.str(l.VariantID)
		e.str(l.ProductID)
		e.str(l.ParentLineID)
		e.str(l.Name)
		e.v(l.Qty)
		e.dec(l.UnitPrice)
		e.dec(l.Gross)
		e.dec(l.Discount)
		e.dec(l.Tax)
		e.dec(l.Net)
	}
	e.dec(o.Shipping)
	e.dec(o.Fees)
	e.dec(o.Tax)
	e.dec(o.Total)
	e.count(len(o.Refunds), o.Refunds == nil)
	for i := range o.Refunds {
		e.refund(&o.Refunds[i])
	}
}

func (e *enc) refund(r *normalize.Refund) {
	e.str(string(r.Platform))
	e.str(r.Store)
	e.str(r.OrderID)
	e.str(r.Currency)
	e.str(r.RefundID)
	e.time(r.TS)
	e.count(len(r.Items), r.Items == nil)
	for i := range r.Items {
		l := &r.Items[i]
		e.str(l.LineID)
		e.v(l.Qty)
		e.dec(l.Net)
		e.dec(l.Tax)
	}
	e.dec(r.Shipping)
	e.dec(r.Amount)
	e.bool(r.CapToLine)
}

func (e *enc) run(r *Run) {
	e.str(r.ID)
	e.time(r.Period.From)
	e.time(r.Period.To)
	e.time(r.At)
	e.count(len(r.Minimum), r.Minimum == nil)
	for _, k := range slices.Sorted(maps.Keys(r.Minimum)) {
		e.str(k)
		e.dec(r.Minimum[k])
	}
	e.count(len(r.Holds), r.Holds == nil)
	for _, k := range slices.Sorted(maps.Keys(r.Holds)) {
		e.str(k)
		e.str(r.Holds[k])
	}
}

// dec reads records enc wrote. It shares the strings and decimals of the
// tables, and allocates the events of the entries it reads from one block.
type dec struct {
	b       []byte
	i       int // where in b the next value is
	t       *memTables
	a       *memArena
	names   []string // stream names, by number
	prevSec int64
	// ids holds the ids of the entries read, one after the other: the
	// caller makes them one string.
	ids []byte
	// Entries read together take their events, bodies and lines from
	// blocks.
	events []commission.Event
	orders []normalize.Order
	lines  []normalize.Line
	// lastSnap is the snapshot last read, with its number + 1: the events
	// of one calculation follow one another and share it.
	lastSnap  *commission.CalcSnapshot
	lastSnapN uint64
	// lastHead is the append header last read, with its number + 1.
	lastHead  header
	lastHeadN uint64
	// awards are the awards read, taken from blocks; reports the reports
	// read, by number, each as an award that holds it and nothing else,
	// so that a beneficiary's awards share it as they did when appended.
	awards  []commission.Award
	reports map[uint64]commission.Award
}

// header is what an append's header holds.
type header struct {
	posted, revision, placed time.Time
	lock                     commission.Lock
	order                    normalize.Key
}

// uv reads a uvarint: most are one byte, read inline.
func (d *dec) uv() uint64 {
	if c := d.b[d.i]; c < 0x80 {
		d.i++
		return uint64(c)
	}
	return d.uvLong()
}

func (d *dec) uvLong() uint64 {
	x, n := binary.Uvarint(d.b[d.i:])
	d.i += n
	return x
}

// v reads a varint (zig-zag, as binary.AppendVarint writes it).
func (d *dec) v() int64 {
	u := d.uv()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (d *dec) byte() byte {
	x := d.b[d.i]
	d.i++
	return x
}

// at moves to the record at addr.
func (d *dec) at(addr uint64) {
	d.b, d.i, d.prevSec = d.a.at(addr), 0, 0
}

func (d *dec) str() string { return d.t.strs[d.uv()] }

func (d *dec) rawBytes() []byte {
	n := int(d.uv())
	s := d.b[d.i : d.i+n]
	d.i += n
	return s
}

func (d *dec) dec() decimal.Decimal { return d.t.decs[d.uv()] }

func (d *dec) time() time.Time {
	l := d.uv()
	if l == 0 {
		return time.Time{}
	}
	sec := d.prevSec + d.v()
	d.prevSec = sec
	return time.Unix(sec, int64(d.uv())).In(d.t.locs[l-1])
}

func (d *dec) key() normalize.Key {
	return normalize.Key{Platform: normalize.Platform(d.str()), Store: d.str(), OrderID: d.str()}
}

// count reads what enc.count wrote: the length, and whether the slice is
// nil.
func (d *dec) count() (int, bool) {
	n := d.uv()
	if n == 0 {
		return 0, true
	}
	return int(n - 1), false
}

func (d *dec) ulid() (id ulid.ULID) {
	copy(id[:], d.b[d.i:d.i+16])
	d.i += 16
	return id
}

// entryAt reads the entry at position pos (1-based), written at addr.
// left is how many more entries the caller reads, so that their events
// take one allocation.
func (d *dec) entry(e *Entry, addr uint64, pos int64, left int) {
	d.at(addr)
	e.Position = pos
	e.Stream = d.names[d.uv()]
	e.Seq = int(d.uv())
	e.Type = Type(d.byte())
	var id ulid.ULID
	kind := d.byte()
	switch kind {
	case idULID:
		id = d.ulid()
		n := len(d.ids)
		d.ids = append(d.ids, make([]byte, ulid.EncodedSize)...)
		_ = id.MarshalTextTo(d.ids[n:])
	case idStream:
		d.ids = append(d.ids, d.rawBytes()...)
		d.ids = append(d.ids, e.Stream...)
		d.ids = append(d.ids, d.rawBytes()...)
	default:
		d.ids = append(d.ids, d.rawBytes()...)
	}
	flags := d.byte()
	derived := flags&recDerived != 0
	var h *header
	if flags&recHead != 0 {
		h = d.header(d.uv())
	}
	if !derived {
		e.Member = d.str()
		e.Currency = d.str()
	}
	e.Amount = d.dec()
	if !derived {
		e.Effective = d.time()
	}
	if flags&recPosted != 0 {
		e.Posted = h.posted
	} else {
		e.Posted = d.time()
	}
	if flags&recOrder != 0 {
		e.Order = h.order
	} else {
		e.Order = d.key()
	}
	if flags&recRevision != 0 {
		e.Revision = h.revision
	} else {
		e.Revision = d.time()
	}
	if flags&recLock != 0 {
		e.Lock = h.lock
	} else {
		e.Lock.Known = d.time()
		e.Lock.PlanID = d.str()
		e.Lock.PlanVersion = int(d.v())
	}
	if flags&recPlaced != 0 {
		e.Placed = h.placed
	} else {
		e.Placed = d.time()
	}
	if !derived {
		e.Rule = d.str()
	}
	e.ReplacedBy = d.key()
	e.Run = d.str()
	e.Withheld = d.dec()
	e.Reason = d.str()
	has := d.byte()
	if has&1 != 0 {
		ev := &take(&d.events, 1, left)[0]
		d.event(ev, e, kind == idULID, id)
		e.Event = ev
		if derived {
			e.Member, e.Currency, e.Effective, e.Rule = ev.Beneficiary, ev.Currency, ev.Effective, ev.Rule
		}
	}
	if has&2 != 0 {
		e.Body = &take(&d.orders, 1, min(left, 4))[0]
		d.order(e.Body)
	}
	if has&4 != 0 {
		e.Refund = new(normalize.Refund)
		d.refund(e.Refund)
	}
	if has&8 != 0 {
		e.Volume = &Volume{LineID: d.str(), Component: d.str(), PV: d.dec(), QV: d.dec(), CV: d.dec(), Net: d.dec(), Customer: d.str()}
	}
	if has&16 != 0 {
		e.RunParams = new(Run)
		d.run(e.RunParams)
	}
	if has&32 != 0 {
		a := &take(&d.awards, 1, left)[0]
		d.award(a, e)
		e.Award = a
	}
	if has&64 != 0 {
		e.Carry = &commission.Carry{Rule: d.str(), Member: d.str(), Leg: hierarchy.Leg(d.v()), Volume: d.dec()}
	}
	if has&128 != 0 {
		e.Close = &Close{Plan: d.str(), Version: int(d.v()), Period: d.str(), From: d.time(), To: d.time(), Known: d.time()}
	}
}

// take returns n elements of block, which it fills with blocks of at
// least hint elements.
func take[T any](block *[]T, n, hint int) []T {
	if n == 0 {
		return []T{} // not nil: the slice read was empty, not absent
	}
	b := *block
	if len(b)+n > cap(b) {
		b = make([]T, 0, max(n, hint))
	}
	*block = b[:len(b)+n]
	return b[len(b) : len(b)+n : len(b)+n]
}

// sameInstant reports whether enc.time writes a and b alike (and dec
// reads them back alike).
func sameInstant(a, b time.Time) bool {
	return a == b || a != (time.Time{}) && b != (time.Time{}) && sameInstantApart(a, b)
}

// sameInstantApart is sameInstant for two Times whose fields differ (a
// monotonic reading, say).
func sameInstantApart(a, b time.Time) bool {
	return a.Unix() == b.Unix() && a.Nanosecond() == b.Nanosecond() && a.Location() == b.Location()
}

// isULIDString reports whether s is id's string form, without
// allocating.
func isULIDString(id ulid.ULID, s string) bool {
	var b [ulid.EncodedSize]byte
	_ = id.MarshalTextTo(b[:])
	return string(b[:]) == s
}

// idIs reports whether the entry written at addr has id, without
// allocating.
func (d *dec) idIs(addr uint64, id string) bool {
	d.at(addr)
	stream := d.names[d.uv()]
	d.uv()
	d.byte()
	switch d.byte() {
	case idULID:
		return isULIDString(d.ulid(), id)
	case idStream:
		pre, post := d.rawBytes(), d.rawBytes()
		return len(id) == len(pre)+len(stream)+len(post) && id[:len(pre)] == string(pre) &&
			id[len(pre):len(pre)+len(stream)] == stream && id[len(pre)+len(stream):] == string(post)
	}
	return string(d.rawBytes()) == id
}

func (d *dec) event(ev *commission.Event, e *Entry, idIsEvent bool, id ulid.ULID) {
	if idIsEvent {
		ev.ID = id
	} else {
		ev.ID = d.ulid()
	}
	if d.byte() == 1 {
		ev.Order = e.Order
	} else {
		ev.Order = d.key()
	}
	ev.LineID = d.str()
	ev.Component = d.str()
	ev.Beneficiary = d.str()
	ev.Rule = d.str()
	ev.Kind = commission.Kind(d.byte())
	ev.Level = int(d.v())
	ev.PaidLevel = int(d.v())
	ev.Currency = d.str()
	ev.Effective = d.time()
	if d.byte() == 1 {
		ev.Corrects = d.ulid()
	}
	if n := d.uv(); n != 0 {
		if n != d.lastSnapN {
			rest, i, prev := d.b, d.i, d.prevSec
			d.lastSnap, d.lastSnapN = d.snapshot(d.t.snaps[n-1]), n
			d.b, d.i, d.prevSec = rest, i, prev
		}
		ev.Snapshot = d.lastSnap
	}
	var f eventraw.Fields
	f.BasisV, f.Rate, f.Amount, f.Uncapped = d.v(), d.v(), d.v(), d.v()
	f.BasisScale, f.Digits = int8(d.byte()), int8(d.byte())
	eventraw.Set(ev, f)
}

// header returns the append header number n, read once for the entries
// of one append read one after the other.
func (d *dec) header(n uint64) *header {
	if n+1 != d.lastHeadN {
		rest, i, prev := d.b, d.i, d.prevSec
		d.at(d.t.heads[n])
		h := &d.lastHead
		h.posted, h.revision = d.time(), d.time()
		h.lock = commission.Lock{Known: d.time(), PlanID: d.str(), PlanVersion: int(d.v())}
		h.placed = d.time()
		h.order = d.key()
		d.lastHeadN = n + 1
		d.b, d.i, d.prevSec = rest, i, prev
	}
	return &d.lastHead
}

func (d *dec) snapshot(addr uint64) *commission.CalcSnapshot {
	d.at(addr)
	s := &commission.CalcSnapshot{PlanID: d.str(), PlanVersion: int(d.v()), Known: d.time(), At: d.time(), OrderVersion: d.time()}
	s.Credited = d.link()
	s.Customer = d.str()
	if n, isNil := d.count(); !isNil {
		s.Upline = make([]commission.Link, n)
		for i := range s.Upline {
			s.Upline[i] = d.link()
		}
	}
	if n, isNil := d.count(); !isNil {
		s.Lines = make([]commission.LineRef, n)
		for i := range s.Lines {
			s.Lines[i] = commission.LineRef{LineID: d.str(), Component: d.str(), SKU: sku.Ref{ID: d.str(), EffectiveFrom: d.time()},
				Kit: sku.Ref{ID: d.str(), EffectiveFrom: d.time()}, Class: d.str()}
		}
	}
	if d.byte() == 1 {
		s.Cap = &commission.Cap{Share: d.dec(), Basis: d.dec(), Amount: d.dec(), Uncapped: d.dec()}
	}
	return s
}

// award reads what enc.award wrote, after en's other fields and its id
// (the end of d.ids).
func (d *dec) award(a *commission.Award, en *Entry) {
	same := d.byte()
	var id ulid.ULID
	if same&awardIDIsEntry != 0 {
		_ = id.UnmarshalText(d.ids[len(d.ids)-ulid.EncodedSize:])
	} else {
		id = d.ulid()
	}
	plan, period, rule, ben := d.str(), d.str(), en.Rule, en.Member
	if same&awardRuleIsEntry == 0 {
		rule = d.str()
	}
	if same&awardBeneficiaryIsMember == 0 {
		ben = d.str()
	}
	src := d.str()
	level, paid := int(d.v()), int(d.v())
	kind := commission.Kind(d.byte())
	cur := en.Currency
	if same&awardCurrencyIsEntry == 0 {
		cur = d.str()
	}
	eff := d.time()
	var corrects ulid.ULID
	if d.byte() == 1 {
		corrects = d.ulid()
	}
	var figs []commission.Figure
	if n, isNil := d.count(); !isNil {
		figs = make([]commission.Figure, n)
		for i := range figs {
			figs[i] = commission.Figure{Name: d.str(), Value: d.decimal()}
		}
	}
	var f eventraw.AwardFields
	f.BasisV, f.Rate, f.Amount = d.v(), d.v(), d.v()
	f.BasisScale, f.Digits = int8(d.byte()), int8(d.byte())
	var withReport commission.Award
	if n := d.uv(); n != 0 {
		var ok bool
		if withReport, ok = d.reports[n]; !ok {
			rest, i, prev := d.b, d.i, d.prevSec
			withReport = commission.Award{}.WithSnapshot(d.report(d.t.reports[n-1]))
			d.b, d.i, d.prevSec = rest, i, prev
			if d.reports == nil {
				d.reports = make(map[uint64]commission.Award)
			}
			d.reports[n] = withReport
		}
	}
	*a = withReport
	a.ID, a.Plan, a.Period, a.Rule, a.Beneficiary, a.Source = id, plan, period, rule, ben, src
	a.Level, a.PaidLevel, a.Kind, a.Currency, a.Effective, a.Corrects, a.Figures = level, paid, kind, cur, eff, corrects, figs
	eventraw.SetAward(a, f)
}

func (d *dec) report(addr uint64) *commission.MemberReport {
	d.at(addr)
	r := &commission.MemberReport{PlanID: d.str(), PlanVersion: int(d.v()),
		Period: commission.Period{ID: d.str(), From: d.time(), To: d.time()}, Known: d.time(), Member: d.str()}
	r.Volumes = commission.Volumes{PV: d.decimal(), QV: d.decimal(), CV: d.decimal(), Own: d.decimal(), GV: d.decimal(), OGV: d.decimal(),
		Enrolled: int(d.v()), Active: d.byte() == 1}
	r.Ranks, r.Previous, r.RankName = d.ranks(), d.ranks(), d.str()
	r.Legs = d.legs()
	if n, isNil := d.count(); !isNil {
		r.Trace = make([]commission.RankTry, n)
		for i := range r.Trace {
			r.Trace[i] = d.try()
		}
	}
	if d.byte() == 1 {
		t := d.try()
		r.Next = &t
	}
	return r
}

// decimal reads what enc.decimal wrote.
func (d *dec) decimal() decimal.Decimal {
	switch d.byte() {
	case 0:
		return decimal.Decimal{}
	case 1:
		coef := d.v()
		return decimal.New(coef, int32(d.v()))
	}
	coef, _ := new(big.Int).SetString(string(d.rawBytes()), 10)
	return decimal.NewFromBigInt(coef, int32(d.v()))
}

func (d *dec) ranks() hierarchy.Ranks {
	return hierarchy.Ranks{PaidAs: hierarchy.Rank(d.uv()), Highest: hierarchy.Rank(d.uv())}
}

func (d *dec) legs() []commission.LegReport {
	n, isNil := d.count()
	if isNil {
		return nil
	}
	ls := make([]commission.LegReport, n)
	for i := range ls {
		ls[i] = commission.LegReport{Member: d.str(), Volume: d.decimal(), Counted: d.decimal(), Rank: hierarchy.Rank(d.uv())}
	}
	return ls
}

func (d *dec) try() commission.RankTry {
	t := commission.RankTry{Rank: hierarchy.Rank(d.uv()), Name: d.str(), Met: d.byte() == 1}
	if n, isNil := d.count(); !isNil {
		t.Failed = make([]commission.Shortfall, n)
		for i := range t.Failed {
			t.Failed[i] = commission.Shortfall{Requirement: d.str(), Have: d.decimal(), Need: d.decimal(), Rank: hierarchy.Rank(d.uv()), Capped: d.legs()}
		}
	}
	return t
}

func (d *dec) link() commission.Link {
	return commission.Link{Member: d.str(), Level: int(d.v()), Status: hierarchy.Status(d.byte()),
		PaidAs: hierarchy.Rank(d.uv()), Highest: hierarchy.Rank(d.uv())}
}

func (d *dec) order(o *normalize.Order) {
	o.Platform = normalize.Platform(d.str())
	o.Store = d.str()
	o.PlatformOrderID = d.str()
	o.OrderNumber = d.str()
	o.ReplacesOrderID = d.str()
	o.Version = d.time()
	o.OrderTS = d.time()
	o.Status = normalize.Status(d.str())
	o.Currency = d.str()
	o.PresentmentCurrency = d.str()
	o.PresentmentTotal = d.dec()
	o.DistributorRef = d.str()
	o.CustomerRef = d.str()
	o.GrossIncludesTax = d.byte() == 1
	if n, isNil := d.count(); !isNil {
		o.Items = take(&d.lines, n, 16)
		for i := range o.Items {
			o.Items[i] = normalize.Line{LineID: d.str(), PlatformSKU: d.str(), VariantID: d.str(), ProductID: d.str(),
				ParentLineID: d.str(), Name: d.str(), Qty: d.v(),
				UnitPrice: d.dec(), Gross: d.dec(), Discount: d.dec(), Tax: d.dec(), Net: d.dec()}
		}
	}
	o.Shipping = d.dec()
	o.Fees = d.dec()
	o.Tax = d.dec()
	o.Total = d.dec()
	if n, isNil := d.count(); !isNil {
		o.Refunds = make([]normalize.Refund, n)
		for i := range o.Refunds {
			d.refund(&o.Refunds[i])
		}
	}
}

func (d *dec) refund(r *normalize.Refund) {
	r.Platform = normalize.Platform(d.str())
	r.Store = d.str()
	r.OrderID = d.str()
	r.Currency = d.str()
	r.RefundID = d.str()
	r.TS = d.time()
	if n, isNil := d.count(); !isNil {
		r.Items = make([]normalize.RefundLine, n)
		for i := range r.Items {
			r.Items[i] = normalize.RefundLine{LineID: d.str(), Qty: d.v(), Net: d.dec(), Tax: d.dec()}
		}
	}
	r.Shipping = d.dec()
	r.Amount = d.dec()
	r.CapToLine = d.byte() == 1
}

func (d *dec) run(r *Run) {
	r.ID = d.str()
	r.Period.From = d.time()
	r.Period.To = d.time()
	r.At = d.time()
	if n, isNil := d.count(); !isNil {
		r.Minimum = make(map[string]decimal.Decimal, n)
		for range n {
			k := d.str()
			r.Minimum[k] = d.dec()
		}
	}
	if n, isNil := d.count(); !isNil {
		r.Holds = make(map[string]string, n)
		for range n {
			k := d.str()
			r.Holds[k] = d.str()
		}
	}
}

// idSet is a set of entry ids kept as the positions of the entries that
// hold them, in an open-addressed table: each slot holds an entry's
// index in log + 1 (0 is empty) and the low 32 bits of its id's hash,
// which place it in the table and let a probe pass over other ids without
// reading their records; an equal hash is checked against the entry's id
// itself.
type idSet struct {
	seed  uint64   // random: a layout no input can aim at
	slots []uint64 // hash<<32 | index + 1
	n     int
	// touched keeps what touch read, so that its reads are not dropped.
	touched uint64
}

// touch reads the first slot of each hash in hs. In a large ledger each is
// a cache miss; reads that do not depend on one another wait for memory
// together, where find, id after id, would wait for each in turn.
func (s *idSet) touch(hs []uint32) {
	mask := len(s.slots) - 1
	var or uint64
	for _, h := range hs {
		or |= s.slots[int(h)&mask]
	}
	s.touched = or
}

// find returns the slot of id, whose hash is h, and the index it holds
// (found), or else the empty slot id would take. is reports whether the
// entry at index i has id.
func (s *idSet) find(id string, h uint32, is func(i uint32, id string) bool) (slot int, i uint32, found bool) {
	mask := len(s.slots) - 1
	for slot = int(h) & mask; ; slot = (slot + 1) & mask {
		v := s.slots[slot]
		if v == 0 {
			return slot, 0, false
		}
		if uint32(v>>32) == h && is(uint32(v)-1, id) {
			return slot, uint32(v) - 1, true
		}
	}
}

// hash returns id's hash, which find takes.
func (s *idSet) hash(id string) uint32 {
	return uint32(strtab.Hash(s.seed, id))
}

// reserve makes room for n more ids, at most three quarters full.
func (s *idSet) reserve(n int) {
	for s.slots == nil || (s.n+n)*4 > len(s.slots)*3 {
		s.grow()
	}
}

// put puts an id whose hash is h, held by the entry at index i, in slot,
// the empty slot find returned for it. reserve must have made room.
func (s *idSet) put(slot int, h, i uint32) {
	s.slots[slot] = uint64(h)<<32 | uint64(i+1)
	s.n++
}

// takeBack empties the slots put filled since reserve, in the order put
// filled them: emptied last first, each leaves the table as it was
// before its put (with linear probing, a put fills a slot that was
// empty, and nothing probes past it that did not before).
func (s *idSet) takeBack(slots []int) {
	for j := len(slots) - 1; j >= 0; j-- {
		s.slots[slots[j]] = 0
	}
	s.n -= len(slots)
}

func (s *idSet) grow() {
	if s.slots == nil {
		s.seed = rand.Uint64()
	}
	old := s.slots
	s.slots = make([]uint64, max(64, 2*len(old)))
	mask := len(s.slots) - 1
	for _, v := range old {
		if v == 0 {
			continue
		}
		i := int(v>>32) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = v
	}
}
