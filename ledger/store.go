package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"
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
	err := s.Scan(ctx, f, func(e *Entry) error {
		k := [2]string{e.Member, e.Currency}
		sums[k] = sums[k].Add(e.Amount)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sortedBalances(sums), nil
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
// ready to use and safe for concurrent use.
type Memory struct {
	mu      sync.RWMutex
	streams map[string][]Entry
	ids     map[string]struct{}
	// log holds every entry's stream and index there, in position order
	// (Position = index in log + 1).
	log []memoryRef
	// byMember holds each member's entries in position order, so that
	// one member's queries visit only its entries (and sums of every
	// member only the dense lists); "" holds entries without a member.
	byMember map[string][]memberEntry
}

type memoryRef struct {
	stream string
	i      int
}

// memberEntry is what one member's queries filter and sum on, kept in a
// dense list per member: they touch that list and the entries they
// return, wherever those lie in a large ledger.
type memberEntry struct {
	ref               memoryRef
	typ               Type
	currency          string
	effective, posted time.Time
	amount            decimal.Decimal
}

// match reports whether member's entry r passes f, as f.Match would on
// the whole entry (Match reads only the fields r keeps).
func (r *memberEntry) match(f *Filter, member string) bool {
	e := Entry{Type: r.typ, Member: member, Currency: r.currency, Effective: r.effective, Posted: r.posted}
	return f.Match(&e)
}

var (
	_ Summer  = (*Memory)(nil)
	_ Batcher = (*Memory)(nil)
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
		m.streams = make(map[string][]Entry)
		m.ids = make(map[string]struct{})
		m.byMember = make(map[string][]memberEntry)
	}
	for _, a := range batch {
		if v := len(m.streams[a.Stream]); v != a.ExpectedVersion {
			return fmt.Errorf("%w: stream %s is at version %d, not %d", ErrVersionConflict, a.Stream, v, a.ExpectedVersion)
		}
	}
	// One map operation an entry: its id goes into ids as it is checked,
	// and a duplicate takes back the ids this batch put in.
	for k, a := range batch {
		for i := range a.Entries {
			id := a.Entries[i].ID
			if _, dup := m.ids[id]; dup {
				for _, b := range batch[:k] {
					for j := range b.Entries {
						delete(m.ids, b.Entries[j].ID)
					}
				}
				for j := range i {
					delete(m.ids, a.Entries[j].ID)
				}
				twice := ""
				if slices.ContainsFunc(a.Entries[:i], func(e Entry) bool { return e.ID == id }) {
					twice = " twice in one append"
				}
				return fmt.Errorf("%w: %s%s", ErrDuplicateID, id, twice)
			}
			m.ids[id] = struct{}{}
		}
	}
	for _, a := range batch {
		cur, entries := m.streams[a.Stream], a.Entries
		out := slices.Grow(cur, len(entries))
		for i := range entries {
			ref := memoryRef{a.Stream, len(cur) + i}
			m.log = append(m.log, ref)
			entries[i].Stream, entries[i].Seq, entries[i].Position = a.Stream, len(cur)+i+1, int64(len(m.log))
			e := own(entries[i])
			out = append(out, e)
			m.byMember[e.Member] = append(m.byMember[e.Member], memberEntry{ref: ref, typ: e.Type, currency: e.Currency,
				effective: e.Effective, posted: e.Posted, amount: e.Amount})
		}
		m.streams[a.Stream] = out
	}
	return nil
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

// own returns e with its typed values copied, so that the store keeps
// nothing the caller may change.
func own(e Entry) Entry {
	if e.Event != nil {
		ev := *e.Event
		e.Event = &ev
	}
	if e.Body != nil {
		b := *e.Body
		b.Items, b.Refunds = slices.Clone(b.Items), slices.Clone(b.Refunds)
		for i := range b.Refunds {
			b.Refunds[i].Items = slices.Clone(b.Refunds[i].Items)
		}
		e.Body = &b
	}
	if e.Refund != nil {
		r := *e.Refund
		r.Items = slices.Clone(r.Items)
		e.Refund = &r
	}
	if e.Volume != nil {
		v := *e.Volume
		e.Volume = &v
	}
	if e.Award != nil {
		a := *e.Award
		a.Figures = slices.Clone(a.Figures)
		e.Award = &a
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
	return e
}

// Stream implements Store.
func (m *Memory) Stream(ctx context.Context, stream string) ([]Entry, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := m.streams[stream]
	return slices.Clone(s), len(s), nil
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
		out[i] = slices.Clone(m.streams[s])
	}
	return out, nil
}

// Scan implements Store.
func (m *Memory) Scan(ctx context.Context, f Filter, fn func(*Entry) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var out []Entry
	m.mu.RLock()
	m.each(&f, func(e *Entry) { out = append(out, *e) })
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

// each calls fn for every entry f matches, in no particular order: one
// member's entries only, when f names the member. m.mu must be held.
func (m *Memory) each(f *Filter, fn func(*Entry)) {
	if f.Member != "" {
		for i := range m.byMember[f.Member] {
			if r := &m.byMember[f.Member][i]; r.match(f, f.Member) {
				fn(&m.streams[r.ref.stream][r.ref.i])
			}
		}
		return
	}
	for _, s := range m.streams {
		for i := range s {
			if f.Match(&s[i]) {
				fn(&s[i])
			}
		}
	}
}

// Sum implements Summer, without copying or sorting entries.
func (m *Memory) Sum(ctx context.Context, f Filter) ([]Balance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Balance
	// One member's sums, one per currency: a member's currencies are
	// few, and a list beats a map.
	var curs []string
	var accs []amountSum
	add := func(member string, list []memberEntry) {
		curs = curs[:0]
		for i := range list {
			r := &list[i]
			if !r.match(&f, member) {
				continue
			}
			j := slices.Index(curs, r.currency)
			if j < 0 {
				j = len(curs)
				curs = append(curs, r.currency)
				if j == len(accs) {
					accs = append(accs, amountSum{})
				}
				accs[j].reset()
			}
			accs[j].add(r.amount)
		}
		for j, c := range curs {
			out = append(out, Balance{Member: member, Currency: c, Amount: accs[j].decimal()})
		}
	}
	m.mu.RLock()
	if f.Member != "" {
		add(f.Member, m.byMember[f.Member])
	} else {
		for member, list := range m.byMember {
			add(member, list)
		}
	}
	m.mu.RUnlock()
	sortBalances(out)
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
	if position >= int64(len(m.log)) || limit <= 0 {
		return nil, nil
	}
	refs := m.log[position:min(int64(len(m.log)), position+int64(limit))]
	out := make([]Entry, len(refs))
	for i, r := range refs {
		out[i] = m.streams[r.stream][r.i]
	}
	return out, nil
}
