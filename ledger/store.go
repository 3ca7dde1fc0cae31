package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
)

// Store is where entries are kept. It is append-only: entries are never
// updated or deleted. Entries are grouped into streams (one per order, one
// for payouts, one per adjustment); each stream has a version, the number
// of entries in it, which Append checks so that two writers racing on one
// stream cannot both append (optimistic concurrency).
//
// Implementations must be safe for concurrent use and pass
// ledgertest.Run.
type Store interface {
	// Append appends entries to stream atomically, if the stream's
	// version is expectedVersion (0 for a stream that does not exist).
	// It sets, in entries and in what it stores, each entry's Stream,
	// Seq (expectedVersion+1, +2, ...) and Position. It fails with an error wrapping ErrVersionConflict when
	// the version differs, and with one wrapping ErrDuplicateID when an
	// entry's ID is already in the store or twice in entries; either way
	// nothing is appended.
	Append(ctx context.Context, stream string, expectedVersion int, entries []Entry) error
	// Stream returns the entries of stream in order, and its version. A
	// stream that does not exist has no entries and version 0.
	Stream(ctx context.Context, stream string) ([]Entry, int, error)
	// Scan calls fn for every entry f matches, ordered by Stream, then
	// Seq, and stops at the first error fn returns, returning it.
	Scan(ctx context.Context, f Filter, fn func(*Entry) error) error
	// After returns at most limit entries whose Position is greater than
	// position, in Position order. Positions strictly increase in the
	// order appends commit (they may leave gaps), so once After has
	// returned an entry, no entry with a smaller position appears later:
	// a follower that remembers the last position it read misses nothing.
	After(ctx context.Context, position int64, limit int) ([]Entry, error)
}

// Summer is a Store that sums amounts itself, as io.WriterTo is a Writer
// that copies itself: a SQL store with an aggregate, so that balances and
// payout runs read one row per member and currency instead of every
// entry. The ledger uses Sum when its store has it, and Scan otherwise.
type Summer interface {
	Store
	// Sum returns the sum of the Amount of the entries f matches, one
	// Balance per member and currency with at least one such entry (a
	// sum of zero included), sorted by member, then currency. Each sum
	// equals, exactly, the one made by adding the entries Scan returns.
	Sum(ctx context.Context, f Filter) ([]Balance, error)
}

// Volumer is a Store that sums a period's volumes itself, as Summer sums
// amounts: a SQL store with an aggregate, or Memory over its own lists,
// so that a close reads one sum per member instead of every volume entry.
// The ledger uses Volumes when its store has it, and Scan otherwise.
type Volumer interface {
	Store
	// Volumes sums, per member, the Volume of the TypeVolume entries
	// that have one, were posted by postedBy (zero: all) and count in
	// period per: with commission.RefundsInRefundPeriod those effective
	// in per; with RefundsInOrderPeriod those effective from per.From on
	// whose order was placed in per (Placed, or Effective when Placed is
	// zero). It returns one PersonalVolume per member with at least one
	// such entry (sums of zero included), sorted by member: PV, QV and
	// CV, and in CustomerPV the PV of the entries with a Customer. Each
	// sum equals, exactly, the one made by adding the entries Scan
	// returns.
	Volumes(ctx context.Context, per Period, postedBy time.Time, refunds commission.RefundPeriod) ([]commission.PersonalVolume, error)
}

// Batcher is a Store that appends to several streams in one atomic step,
// so that importing or replaying history pays one commit for many orders
// (Ledger.PostAll) instead of one each.
type Batcher interface {
	Store
	// AppendBatch appends each Append's entries to its stream, if every
	// stream is at its ExpectedVersion, all or nothing, as Append does
	// for one stream: it sets each entry's Stream, Seq and Position, and
	// fails with an error wrapping ErrVersionConflict or ErrDuplicateID
	// (an id in the store or twice in the batch) with nothing appended.
	// A stream may appear once in a batch (ErrInvalidEntry otherwise).
	AppendBatch(ctx context.Context, batch []Append) error
	// Streams returns the entries of each of streams, as Stream does,
	// read together: out[i] are those of streams[i], and its length the
	// stream's version.
	Streams(ctx context.Context, streams []string) (out [][]Entry, err error)
}

// Tailer is a Store that reads the tail of a stream, as io.WriterTo is a
// Writer that copies itself: what was appended after a version the caller
// already holds, so that a reader that keeps a stream's state (a payout
// run's version check, an order's cached entries) pays for what is new,
// not for the whole stream again. The ledger uses StreamAfter when its
// store has it, and Stream otherwise.
type Tailer interface {
	Store
	// StreamAfter returns the entries of stream whose Seq is greater
	// than seq, in order, and the stream's version, read together: the
	// last entry returned, if any, is at that version. A seq at or past
	// the version returns no entries, so it reads the version alone; a
	// negative seq reads the whole stream, as Stream does.
	StreamAfter(ctx context.Context, stream string, seq int) (entries []Entry, version int, err error)
}

// Append is one stream's part of a Batcher's batch: the arguments of
// Store.Append.
type Append struct {
	Stream          string
	ExpectedVersion int
	Entries         []Entry
}

// sum is Summer.Sum on s, or the same sums made from s.Scan.
func sum(ctx context.Context, s Store, f Filter) ([]Balance, error) {
	if sm, ok := s.(Summer); ok {
		return sm.Sum(ctx, f)
	}
	sums := make(map[[2]string]decimal.Decimal)
	err := s.Scan(ctx, f, func(e *Entry) error { addTo(sums, e); return nil })
	if err != nil {
		return nil, err
	}
	return sortedBalances(sums), nil
}

// addTo adds e's amount to its member's and currency's sum.
func addTo(sums map[[2]string]decimal.Decimal, e *Entry) {
	k := [2]string{e.Member, e.Currency}
	sums[k] = sums[k].Add(e.Amount)
}

// streamAfter is Tailer.StreamAfter on s, or the same tail of s.Stream.
func streamAfter(ctx context.Context, s Store, stream string, seq int) ([]Entry, int, error) {
	if t, ok := s.(Tailer); ok {
		return t.StreamAfter(ctx, stream, seq)
	}
	es, v, err := s.Stream(ctx, stream)
	if err != nil {
		return nil, 0, err
	}
	return tail(es, seq), v, nil
}

// tail returns the entries of a whole stream's es whose Seq is greater
// than seq (es[i].Seq is i+1).
func tail(es []Entry, seq int) []Entry {
	if seq >= len(es) {
		return nil
	}
	return es[max(seq, 0):]
}

func sortedBalances(sums map[[2]string]decimal.Decimal) []Balance {
	out := make([]Balance, 0, len(sums))
	for k, v := range sums {
		out = append(out, Balance{Member: k[0], Currency: k[1], Amount: v})
	}
	sortBalances(out)
	return out
}

// sortBalances sorts bs by member, then currency, as Summer.Sum returns
// them.
func sortBalances(bs []Balance) {
	slices.SortFunc(bs, func(a, b Balance) int {
		return cmp.Or(cmp.Compare(a.Member, b.Member), cmp.Compare(a.Currency, b.Currency))
	})
}

// Store errors.
var (
	// ErrVersionConflict: another writer appended to the stream first.
	ErrVersionConflict = errors.New("ledger: stream version conflict")
	// ErrDuplicateID: an entry id is already in the store.
	ErrDuplicateID = errors.New("ledger: duplicate entry id")
	// ErrInvalidEntry: an entry cannot be stored (no id, no type).
	ErrInvalidEntry = errors.New("ledger: invalid entry")
)

// Memory is the in-memory Store, the embedded default. The zero Memory is
// ready to use and safe for concurrent use. It keeps entries compactly
// (see memcodec.go) and gives back, on every read, new entries equal to
// those appended, instants without their monotonic clock reading; their
// events, bodies, refunds and awards may be shared with other reads.
type Memory struct {
	mu  sync.RWMutex
	tab memTables
	// arena holds every entry's record; log their addresses, in position
	// order (Position = index in log + 1).
	arena memArena
	log   blocks[uint64]
	// streams numbers the streams; names and entries are, by number, a
	// stream's name and its entries' indexes in log.
	streams map[string]uint32
	names   []string
	entries [][]uint32
	ids     idSet
	// byMember holds each member's entries in position order, so that
	// one member's queries visit only its entries (and sums of every
	// member only the dense lists); "" holds entries without a member.
	byMember map[string]*blocks[memberEntry]
	// memberLists holds the same lists by the member's number in tab.strs
	// (nil for a string no entry has as its member), for the append path.
	memberLists []*blocks[memberEntry]
	scratch     []byte
	snapScratch []byte
	idSlots     []int    // addIDs's, to take back
	idHashes    []uint32 // addIDs's, the batch's ids' hashes
	// recent holds the entries of streams last read whole, by stream
	// number modulo its length, so that reading an order's stream again
	// (a duplicate delivery, a what-if) copies them instead of decoding
	// them. Each is immutable once stored, and current while its stream
	// has as many entries.
	recent [256]atomic.Pointer[recentStream]
	// byRun holds each payout run's entries (their indexes in log) in
	// position order.
	byRun map[string][]uint32
	// vols holds the volume entries as Volumes filters and sums them,
	// in position order, with members numbered as in members.
	vols blocks[volumeRecord]
	// volEffective and volPlaced index vols by the UTC day of an
	// entry's effective and placed instants, so that a close visits its
	// period's days only, however long the ledger's history; volWide
	// holds the entries with an instant Unix nanoseconds cannot hold.
	volEffective, volPlaced map[int64][]uint32
	volWide                 []uint32
	// volFixed holds, by number, each of tab.decs at volumeScale and
	// whether it fits there, so that Volumes adds a line's volumes as
	// integers.
	volFixed []fixedDec
}

type fixedDec struct {
	v    int64
	fits bool
}

type recentStream struct {
	stream  uint32
	entries []Entry
}

// recentMax is the most entries a stream in Memory.recent has: a long
// stream (the payouts) would keep too much.
const recentMax = 64

// volumeRecord is a volume entry (of TypeVolume, with a Volume) as
// Volumes filters and sums it.
type volumeRecord struct {
	// effective, posted and placed (Placed, or Effective when Placed is
	// zero) are Unix nanoseconds, unless wide.
	effective, posted, placed int64
	i                         uint32    // index in log
	vol                       [3]uint32 // PV, QV, CV in tab.decs
	member                    uint32    // the member's number in tab.strs
	customer                  bool
	// wide is set for an instant beyond what Unix nanoseconds hold:
	// Volumes then reads the entry.
	wide bool
}

// day is the UTC day of Unix nanoseconds ns, Volumes' index key.
func day(ns int64) int64 {
	const d = int64(24 * time.Hour)
	if ns < 0 {
		return (ns+1)/d - 1
	}
	return ns / d
}

// memberEntry is what one member's queries filter and sum on, kept in a
// dense list per member: they touch that list and the entries they
// return, wherever those lie in a large ledger.
type memberEntry struct {
	// effective and posted are Unix nanoseconds, unless wide.
	effective, posted int64
	i                 uint32 // index in log
	currency, amount  uint32 // in tab.strs, tab.decs
	typ               Type
	// wide is set for an instant beyond what Unix nanoseconds hold (the
	// zero Time, say): match then reads it from the entry.
	wide bool
}

// match reports whether member's entry r passes f, as f.Match would on
// the whole entry (Match reads only the fields r keeps). m.mu must be
// held.
func (m *Memory) match(r *memberEntry, f *Filter, member string) bool {
	effective, posted := time.Unix(0, r.effective), time.Unix(0, r.posted)
	if r.wide {
		full := m.read(r.i)
		effective, posted = full.Effective, full.Posted
	}
	// A Run filter is served from byRun, never from these lists, which
	// do not keep the run.
	return f.match(member, m.tab.strs[r.currency], r.typ, f.Run, effective, posted)
}

// memberFilter is a Filter as memberEntry lists are matched against it
// fast: its currency interned, its instants in Unix nanoseconds (when
// every one fits: m.match otherwise).
type memberFilter struct {
	f                         *Filter
	fast                      bool
	currency                  uint32
	from, to, postedBy        int64
	hasFrom, hasTo, hasPosted bool
}

// filter returns f's memberFilter. m.mu must be held.
func (m *Memory) filter(f *Filter) memberFilter {
	mf := memberFilter{f: f, fast: true, hasFrom: !f.From.IsZero(), hasTo: !f.To.IsZero(), hasPosted: !f.PostedBy.IsZero()}
	if f.Currency != "" {
		var ok bool
		if mf.currency, ok = m.tab.strIdx[f.Currency]; !ok {
			mf.currency = math.MaxUint32 // no entry has it
		}
	}
	for _, b := range []struct {
		t   time.Time
		set bool
		ns  *int64
	}{{f.From, mf.hasFrom, &mf.from}, {f.To, mf.hasTo, &mf.to}, {f.PostedBy, mf.hasPosted, &mf.postedBy}} {
		if b.set {
			var ok bool
			*b.ns, ok = unixNano(b.t)
			mf.fast = mf.fast && ok
		}
	}
	return mf
}

// matches reports whether member's entry r passes mf's filter, as
// f.Match would on the whole entry. m.mu must be held.
func (m *Memory) matches(mf *memberFilter, r *memberEntry, member string) bool {
	if !mf.fast || r.wide {
		return m.match(r, mf.f, member)
	}
	return (mf.f.Currency == "" || r.currency == mf.currency) &&
		(len(mf.f.Types) == 0 || slices.Contains(mf.f.Types, r.typ)) &&
		(!mf.hasFrom || r.effective >= mf.from) && (!mf.hasTo || r.effective < mf.to) &&
		(!mf.hasPosted || r.posted <= mf.postedBy)
}

// each calls fn for every member's entry mf matches, one member after
// the other (only f.Member, when set), and then done, when not nil, with
// the member. m.mu must be held.
func (m *Memory) each(mf *memberFilter, fn func(member string, r *memberEntry), done func(member string)) {
	one := func(member string, list *blocks[memberEntry]) {
		if list == nil {
			return
		}
		for _, b := range list.b {
			for k := range b {
				if r := &b[k]; m.matches(mf, r, member) {
					fn(member, r)
				}
			}
		}
		if done != nil {
			done(member)
		}
	}
	if mf.f.Member != "" {
		one(mf.f.Member, m.byMember[mf.f.Member])
		return
	}
	for member, list := range m.byMember {
		one(member, list)
	}
}

// unixNano returns t in Unix nanoseconds, and whether that is exact.
func unixNano(t time.Time) (int64, bool) {
	if sec := t.Unix(); sec > math.MinInt64/int64(time.Second) && sec < math.MaxInt64/int64(time.Second) {
		return sec*1e9 + int64(t.Nanosecond()), true // t.UnixNano(), in range
	}
	ns := t.UnixNano()
	return ns, time.Unix(0, ns).Equal(t)
}

var (
	_ Summer  = (*Memory)(nil)
	_ Batcher = (*Memory)(nil)
	_ Tailer  = (*Memory)(nil)
	_ Volumer = (*Memory)(nil)
)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{} }

// Append implements Store.
func (m *Memory) Append(ctx context.Context, stream string, expectedVersion int, entries []Entry) error {
	return m.AppendBatch(ctx, []Append{{Stream: stream, ExpectedVersion: expectedVersion, Entries: entries}})
}

// AppendBatch implements Batcher.
func (m *Memory) AppendBatch(ctx context.Context, batch []Append) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkBatch(batch); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.streams == nil {
		m.tab.init()
		m.streams = make(map[string]uint32)
		m.byMember = make(map[string]*blocks[memberEntry])
		m.byRun = make(map[string][]uint32)
	}
	n := 0
	for _, a := range batch {
		if v := m.version(a.Stream); v != a.ExpectedVersion {
			return fmt.Errorf("%w: stream %s is at version %d, not %d", ErrVersionConflict, a.Stream, v, a.ExpectedVersion)
		}
		n += len(a.Entries)
	}
	if m.log.n+n > math.MaxUint32 {
		return fmt.Errorf("ledger: the memory store holds at most %d entries", uint32(math.MaxUint32))
	}
	if err := m.addIDs(batch, n); err != nil {
		return err
	}
	// The snapshots written, each once: an append's events share one, or
	// a few (a replacement's), so a list beats a map.
	type written struct {
		s *commission.CalcSnapshot
		i uint32
	}
	var small [4]written
	snaps := small[:0]
	var snapEnc enc
	snap := func(s *commission.CalcSnapshot) uint32 {
		for k := range snaps {
			if snaps[k].s == s {
				return snaps[k].i
			}
		}
		snapEnc = enc{b: m.snapScratch[:0], t: &m.tab}
		snapEnc.snapshot(s)
		m.snapScratch = snapEnc.b
		i := uint32(len(m.tab.snaps))
		m.tab.snaps = append(m.tab.snaps, m.arena.add(snapEnc.b))
		snaps = append(snaps, written{s, i})
		return i
	}
	e := enc{b: m.scratch, t: &m.tab, arena: &m.arena}
	defer func() { m.scratch = e.b }()
	// The entries of an append most often share their posting instant:
	// the last one's, in Unix nanoseconds, and whether that is exact.
	var posted time.Time
	var postedNs int64
	postedOK, havePosted := false, false
	for _, a := range batch {
		si, ok := m.streams[a.Stream]
		if !ok {
			si = uint32(len(m.names))
			name := strings.Clone(a.Stream)
			m.streams[name] = si
			m.names = append(m.names, name)
			m.entries = append(m.entries, nil)
		}
		cur, entries := slices.Grow(m.entries[si], len(a.Entries)), a.Entries
		e.head = nil
		if len(entries) > 1 {
			e.b = e.b[:0]
			e.header(&entries[0])
			e.head, e.headN = &entries[0], uint64(len(m.tab.heads))
			m.tab.heads = append(m.tab.heads, m.arena.add(e.b))
		}
		for i := range entries {
			en := &entries[i]
			li := uint32(m.log.n)
			en.Stream, en.Seq, en.Position = a.Stream, len(cur)+1, int64(li)+1
			e.b = e.b[:0]
			e.entry(en, si, a.Stream, snap)
			m.log.add(m.arena.add(e.b))
			cur = append(cur, li)
			r := memberEntry{i: li, currency: e.currency, amount: e.amount, typ: en.Type}
			var ok bool
			r.effective, ok = unixNano(en.Effective)
			if !havePosted || en.Posted != posted {
				posted, havePosted = en.Posted, true
				postedNs, postedOK = unixNano(posted)
			}
			r.posted, r.wide = postedNs, !ok || !postedOK
			m.memberList(e.member).add(r)
			if en.Run != "" {
				run := m.tab.strs[m.tab.str(en.Run)]
				m.byRun[run] = append(m.byRun[run], li)
			}
			if en.Type == TypeVolume && en.Volume != nil {
				m.addVolume(en, li, e.member)
			}
		}
		m.entries[si] = cur
	}
	return nil
}

// memberList returns the list of the member whose number in tab.strs is
// i, made when it has none. m.mu must be held.
func (m *Memory) memberList(i uint32) *blocks[memberEntry] {
	if int(i) >= len(m.memberLists) {
		m.memberLists = append(m.memberLists, make([]*blocks[memberEntry], int(i)+1-len(m.memberLists))...)
	}
	list := m.memberLists[i]
	if list == nil {
		list = new(blocks[memberEntry])
		m.memberLists[i], m.byMember[m.tab.strs[i]] = list, list
	}
	return list
}

// version returns stream's version. m.mu must be held.
func (m *Memory) version(stream string) int {
	if si, ok := m.streams[stream]; ok {
		return len(m.entries[si])
	}
	return 0
}

// addIDs adds the ids of a batch of n entries to m.ids, as held by the
// entries at log indexes m.log.n, m.log.n+1, ... in batch order, or adds
// none and refuses the batch when an id is in the store or twice in the
// batch. m.mu must be held.
func (m *Memory) addIDs(batch []Append, n int) error {
	base := uint32(m.log.n)
	// An id the batch added is compared with its entry, whose record is
	// not written yet.
	is := func(i uint32, id string) bool {
		if i < base {
			return m.idIs(i, id)
		}
		flat := int(i - base)
		for k := range batch {
			if flat < len(batch[k].Entries) {
				return batch[k].Entries[flat].ID == id
			}
			flat -= len(batch[k].Entries)
		}
		return false
	}
	m.ids.reserve(n) // no growing while ids are added: those added can be taken back
	hs := m.idHashes[:0]
	for _, a := range batch {
		for i := range a.Entries {
			hs = append(hs, m.ids.hash(a.Entries[i].ID))
		}
	}
	m.idHashes = hs
	m.ids.touch(hs)
	added := m.idSlots[:0]
	defer func() { m.idSlots = added }()
	flat := uint32(0)
	for _, a := range batch {
		first := base + flat // this append's first entry
		for i := range a.Entries {
			id := a.Entries[i].ID
			h := hs[flat]
			slot, at, found := m.ids.find(id, h, is)
			if found {
				m.ids.takeBack(added)
				if at >= first {
					return fmt.Errorf("%w: %s twice in one append", ErrDuplicateID, id)
				}
				return fmt.Errorf("%w: %s", ErrDuplicateID, id)
			}
			m.ids.put(slot, h, base+flat)
			added = append(added, slot)
			flat++
		}
	}
	return nil
}

func (m *Memory) idIs(i uint32, id string) bool {
	d := m.decoder()
	return d.idIs(m.log.at(i), id)
}

func (m *Memory) decoder() dec { return dec{t: &m.tab, a: &m.arena, names: m.names} }

// read returns the entry at index i of log. m.mu must be held.
func (m *Memory) read(i uint32) Entry {
	return m.readAll([]uint32{i})[0]
}

// readAll reads the entries at indexes is of log. m.mu must be held.
func (m *Memory) readAll(is []uint32) []Entry {
	if len(is) == 0 {
		return nil
	}
	out := make([]Entry, len(is))
	var small [64]int
	ends := small[:0]
	d := m.decoder()
	for k, i := range is {
		d.entry(&out[k], m.log.at(i), int64(i)+1, len(is)-k)
		ends = append(ends, len(d.ids))
	}
	ids, start := string(d.ids), 0
	for k, end := range ends {
		out[k].ID, start = ids[start:end], end
	}
	return out
}

// stream returns the entries of stream whose Seq is greater than from
// (all of them for a negative from), and its version. m.mu must be held.
func (m *Memory) stream(stream string, from int) ([]Entry, int) {
	si, ok := m.streams[stream]
	if !ok {
		return nil, 0
	}
	is := m.entries[si]
	if from > 0 || len(is) > recentMax {
		return m.readAll(is[min(max(from, 0), len(is)):]), len(is)
	}
	slot := &m.recent[si%uint32(len(m.recent))]
	if r := slot.Load(); r != nil && r.stream == si && len(r.entries) == len(is) {
		return ownCopy(r.entries), len(is)
	}
	es := m.readAll(is)
	slot.Store(&recentStream{stream: si, entries: es})
	return ownCopy(es), len(is)
}

// ownCopy copies kept entries for a reader: each entry, and the values
// small enough to copy that it points to (a volume, a carry, a close
// record, a run's parameters), so that a reader who changes one changes
// neither the store's kept copy nor what the ledger reads next. Events,
// bodies, refunds and awards stay shared, as Entry says.
func ownCopy(kept []Entry) []Entry {
	es := slices.Clone(kept)
	var vols []Volume
	for i := range es {
		e := &es[i]
		if e.Volume != nil {
			if vols == nil {
				vols = make([]Volume, 0, len(es)-i)
			}
			vols = append(vols, *e.Volume)
			e.Volume = &vols[len(vols)-1]
		}
		if e.Carry != nil {
			c := *e.Carry
			e.Carry = &c
		}
		if e.Close != nil {
			c := *e.Close
			e.Close = &c
		}
		if e.RunParams != nil {
			r := *e.RunParams
			r.Minimum, r.Holds = maps.Clone(r.Minimum), maps.Clone(r.Holds)
			e.RunParams = &r
		}
	}
	return es
}

// checkBatch refuses what no store can append: an empty stream name, a
// stream twice in one batch, an entry without id or type.
func checkBatch(batch []Append) error {
	for k, a := range batch {
		if a.Stream == "" {
			return fmt.Errorf("%w: empty stream name", ErrInvalidEntry)
		}
		if slices.ContainsFunc(batch[:k], func(b Append) bool { return b.Stream == a.Stream }) {
			return fmt.Errorf("%w: stream %s twice in one batch", ErrInvalidEntry, a.Stream)
		}
		for i := range a.Entries {
			if a.Entries[i].ID == "" || a.Entries[i].Type == 0 {
				return fmt.Errorf("%w: entry %d of stream %s has no id or no type", ErrInvalidEntry, i, a.Stream)
			}
		}
	}
	return nil
}

// Stream implements Store.
func (m *Memory) Stream(ctx context.Context, stream string) ([]Entry, int, error) {
	return m.StreamAfter(ctx, stream, 0)
}

// StreamAfter implements Tailer: it copies the tail only.
func (m *Memory) StreamAfter(ctx context.Context, stream string, seq int) ([]Entry, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	es, v := m.stream(stream, seq)
	return es, v, nil
}

// Streams implements Batcher.
func (m *Memory) Streams(ctx context.Context, streams []string) ([][]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]Entry, len(streams))
	m.mu.RLock()
	defer m.mu.RUnlock()
	for i, s := range streams {
		out[i], _ = m.stream(s, 0)
	}
	return out, nil
}

// Scan implements Store.
func (m *Memory) Scan(ctx context.Context, f Filter, fn func(*Entry) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	out := m.scan(&f)
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Entry) int {
		if c := cmp.Compare(a.Stream, b.Stream); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	for i := range out {
		if err := fn(&out[i]); err != nil {
			return err
		}
	}
	return nil
}

// scan returns the entries f matches, in no particular order: one run's
// only, when f names the run, or one member's, when f names the member.
// m.mu must be held.
func (m *Memory) scan(f *Filter) []Entry {
	if f.Run != "" {
		return slices.DeleteFunc(m.readAll(m.byRun[f.Run]), func(e Entry) bool { return !f.Match(&e) })
	}
	var is []uint32
	mf := m.filter(f)
	m.each(&mf, func(_ string, r *memberEntry) { is = append(is, r.i) }, nil)
	return m.readAll(is)
}

// Sum implements Summer, without copying or sorting entries.
func (m *Memory) Sum(ctx context.Context, f Filter) ([]Balance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Balance
	// One member's sums, one per currency: a member's currencies are
	// few, and a list beats a map.
	var curs []uint32
	var accs []amountSum
	add := func(_ string, r *memberEntry) {
		j := slices.Index(curs, r.currency)
		if j < 0 {
			j = len(curs)
			curs = append(curs, r.currency)
			if j == len(accs) {
				accs = append(accs, amountSum{})
			}
			accs[j].reset()
		}
		accs[j].add(m.tab.decs[r.amount])
	}
	done := func(member string) {
		for j, c := range curs {
			out = append(out, Balance{Member: member, Currency: m.tab.strs[c], Amount: accs[j].decimal()})
		}
		curs = curs[:0]
	}
	m.mu.RLock()
	if f.Run != "" {
		// A run's entries are few: added up as the ledger adds up Scan's.
		sums := make(map[[2]string]decimal.Decimal)
		for _, e := range m.scan(&f) {
			addTo(sums, &e)
		}
		m.mu.RUnlock()
		return sortedBalances(sums), nil
	}
	mf := m.filter(&f)
	m.each(&mf, add, done)
	m.mu.RUnlock()
	sortBalances(out)
	return out, nil
}

// addVolume keeps volume entry en, at index i of log, whose member is
// number member in tab.strs, for Volumes. m.mu must be held.
func (m *Memory) addVolume(en *Entry, i, member uint32) {
	if m.volEffective == nil {
		m.volEffective, m.volPlaced = make(map[int64][]uint32), make(map[int64][]uint32)
	}
	v := en.Volume
	r := volumeRecord{i: i, vol: [3]uint32{m.tab.dec(v.PV), m.tab.dec(v.QV), m.tab.dec(v.CV)}, member: member, customer: v.Customer != ""}
	// The decimals interned since the last volume entry, at volumeScale.
	for k := len(m.volFixed); k < len(m.tab.decs); k++ {
		x, fits := volumeFixed(m.tab.decs[k])
		m.volFixed = append(m.volFixed, fixedDec{x, fits})
	}
	placed := en.Placed
	if placed.IsZero() {
		placed = en.Effective
	}
	var ok1, ok2, ok3 bool
	r.effective, ok1 = unixNano(en.Effective)
	r.posted, ok2 = unixNano(en.Posted)
	r.placed, ok3 = unixNano(placed)
	r.wide = !ok1 || !ok2 || !ok3
	k := uint32(m.vols.n)
	m.vols.add(r)
	if r.wide {
		m.volWide = append(m.volWide, k)
		return
	}
	de, dp := day(r.effective), day(r.placed)
	m.volEffective[de] = append(m.volEffective[de], k)
	m.volPlaced[dp] = append(m.volPlaced[dp], k)
}

// Volumes implements Volumer: it visits the volume entries of the
// period's days only (by effective day, or by placed day when refunds
// count in the order's period), and adds their volumes as integers
// (volFixed) until one does not fit, without making an Entry.
func (m *Memory) Volumes(ctx context.Context, per Period, postedBy time.Time, refunds commission.RefundPeriod) ([]commission.PersonalVolume, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, byPlaced := volumeFilter(per, postedBy, refunds)
	from, ok1 := unixNano(per.From)
	to, ok2 := unixNano(per.To)
	by, ok3 := unixNano(postedBy)
	hasPosted := !postedBy.IsZero()
	// A bound Unix nanoseconds cannot hold (a zero one, say): every
	// entry is matched on the entry itself, as the fold matches it.
	fast := ok1 && ok2 && (ok3 || !hasPosted) && from < to
	m.mu.RLock()
	defer m.mu.RUnlock()
	// slot holds, by member number, 1 + the member's index in sums.
	slot := make([]int32, len(m.tab.strs))
	var sums []volumeSum
	var who []uint32
	fx, decs := m.volFixed, m.tab.decs
	add := func(k uint32) {
		r := m.vols.at(k)
		if !fast || r.wide {
			e := m.read(r.i)
			if !f.Match(&e) || byPlaced && !placedIn(&e, per) {
				return
			}
		} else if hasPosted && r.posted > by || r.effective < from || byPlaced && (r.placed < from || r.placed >= to) || !byPlaced && r.effective >= to {
			return
		}
		j := slot[r.member] - 1
		if j < 0 {
			j = int32(len(sums))
			slot[r.member] = j + 1
			sums = append(sums, volumeSum{})
			who = append(who, r.member)
		}
		s := &sums[j]
		pv, qv, cv := &fx[r.vol[0]], &fx[r.vol[1]], &fx[r.vol[2]]
		x := [4]int64{pv.v, qv.v, cv.v}
		if r.customer {
			x[3] = pv.v
		}
		if !pv.fits || !qv.fits || !cv.fits || !s.addFixed(&x) {
			s.addDecimals(decs[r.vol[0]], decs[r.vol[1]], decs[r.vol[2]], r.customer)
		}
	}
	if fast {
		idx := m.volEffective
		if byPlaced {
			idx = m.volPlaced
		}
		for d := day(from); d <= day(to-1); d++ {
			for _, k := range idx[d] {
				add(k)
			}
		}
		for _, k := range m.volWide {
			add(k)
		}
	} else {
		for k := range uint32(m.vols.n) {
			add(k)
		}
	}
	order := make([]int32, len(sums))
	for j := range order {
		order[j] = int32(j)
	}
	name := m.tab.strs
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(name[who[a]], name[who[b]]) })
	out := make([]commission.PersonalVolume, len(order))
	for i, j := range order {
		out[i] = sums[j].volume(name[who[j]])
	}
	return out, nil
}

// amountSum adds amounts in place, where decimal.Add allocates twice an
// amount: on a large ledger that, and the garbage collector scanning the
// ledger to reclaim it, cost more than the adding. Its sum equals, scale
// included, the one Add gives starting from the zero Decimal.
type amountSum struct {
	v, c, pow big.Int
	exp       int32
}

func (s *amountSum) reset() { s.v.SetInt64(0); s.exp = 0 }

func (s *amountSum) add(d decimal.Decimal) {
	c := &s.c
	if d.NumDigits() <= 18 {
		c.SetInt64(d.CoefficientInt64())
	} else {
		c.Set(d.Coefficient())
	}
	switch e := d.Exponent(); {
	case e > s.exp:
		c.Mul(c, s.pow.Exp(big.NewInt(10), big.NewInt(int64(e)-int64(s.exp)), nil))
	case e < s.exp:
		s.v.Mul(&s.v, s.pow.Exp(big.NewInt(10), big.NewInt(int64(s.exp)-int64(e)), nil))
		s.exp = e
	}
	s.v.Add(&s.v, c)
}

func (s *amountSum) decimal() decimal.Decimal {
	return decimal.NewFromBigInt(new(big.Int).Set(&s.v), s.exp)
}

// After implements Store.
func (m *Memory) After(ctx context.Context, position int64, limit int) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if position < 0 {
		position = 0
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if position >= int64(m.log.n) || limit <= 0 {
		return nil, nil
	}
	is := make([]uint32, min(int64(m.log.n), position+int64(limit))-position)
	for k := range is {
		is[k] = uint32(position) + uint32(k)
	}
	return m.readAll(is), nil
}
