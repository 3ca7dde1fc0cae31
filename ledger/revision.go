package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// Prefixes of the ids of an order stream's bookkeeping entries.
const (
	revisionPrefix = "revision "
	replacedPrefix = "replaced "
)

// orderState is what an order's stream says.
type orderState struct {
	version int
	seen    bool
	lock    commission.Lock
	events  []commission.Event
	byID    map[string]*Entry
	// last is the newest revision instant recorded on any entry.
	last time.Time
	// newest is the merged order the last revision record holds; nil
	// when the stream has none (never posted, or posted by PostEvents).
	newest *normalize.Order
	// replacedBy is the stream of the order that replaced this one, when
	// it was replaced.
	replacedBy string
}

// readStream reads the order stream named stream from the store.
func (l *Ledger) readStream(ctx context.Context, stream string) (orderState, error) {
	entries, version, err := l.store.Stream(ctx, stream)
	if err != nil {
		return orderState{}, err
	}
	return readOrder(entries, version)
}

// append appends add to stream, expected at version, and numbers the
// entries as the store did.
func (l *Ledger) append(ctx context.Context, stream string, version int, add []Entry) error {
	if err := l.store.Append(ctx, stream, version, add); err != nil {
		return err
	}
	for i := range add {
		add[i].Stream, add[i].Seq = stream, version+i+1
	}
	return nil
}

// correctionEntries returns the entries of an order's corrections at
// revision rev, less those the stream st already holds; one it holds
// differently is a *ConflictError. The slice has room for one more entry
// (the revision record that follows them).
func correctionEntries(st *orderState, corr []commission.Event, at, rev time.Time, lock commission.Lock) ([]Entry, error) {
	add := make([]Entry, 0, len(corr)+1)
	for i := range corr {
		e := eventEntry(&corr[i], at, rev, lock)
		if p, ok := st.byID[e.ID]; ok {
			if err := sameEntry(p, &e); err != nil {
				return nil, err
			}
			continue
		}
		add = append(add, e)
	}
	return add, nil
}

// readOrder reads an order's stream. It fails only when a revision
// record's order cannot be read back, which a store that keeps entries
// exactly never causes.
func readOrder(entries []Entry, version int) (orderState, error) {
	s := orderState{version: version, byID: make(map[string]*Entry, len(entries))}
	record := -1
	for i := range entries {
		e := &entries[i]
		s.byID[e.ID] = e
		marker := e.Type == TypeRevision && strings.HasPrefix(e.ID, replacedPrefix)
		if !s.seen && !marker {
			s.lock, s.seen = e.Lock, true
		}
		if e.Revision.After(s.last) {
			s.last = e.Revision
		}
		switch {
		case e.Event != nil:
			s.events = append(s.events, *e.Event)
		case marker:
			s.replacedBy = e.Memo
		case e.Type != TypeRevision:
		case e.Memo != "":
			record = i
		}
	}
	if record >= 0 {
		e := &entries[record]
		o, err := normalize.DecodeJSON([]byte(e.Memo))
		if err != nil {
			return s, fmt.Errorf("ledger: revision record %s of stream %s: %w", e.ID, e.Stream, err)
		}
		s.newest = &o
	}
	return s, nil
}

// newestVersion is N: the Version of the newest merged revision recorded,
// or for a stream without revision records the newest revision instant.
func (s *orderState) newestVersion() time.Time {
	if s.newest != nil {
		return s.newest.Version.UTC()
	}
	return s.last
}

// mergedOrder is a delivery merged with the newest revision recorded.
type mergedOrder struct {
	order normalize.Order
	// newRefunds reports a refund with lines the newest revision does not
	// record with lines.
	newRefunds bool
}

// merge returns the order to calculate for delivery o given the newest
// revision recorded (nil for none). The base is o when it is newer, or as
// new and brings no new refund (a duplicate, or a conflicting body); the
// newest revision otherwise. Every refund with lines of the newest and of o
// is applied to it (normalize.Order.ApplyRefund appends a missing refund,
// replaces a summary without lines by the refund with lines, and ignores a
// refund already there).
func merge(o, newest *normalize.Order) (mergedOrder, error) {
	var m mergedOrder
	recorded := make(map[string]bool)
	if newest != nil {
		for _, r := range newest.Refunds {
			if len(r.Items) > 0 {
				recorded[r.RefundID] = true
			}
		}
		for _, r := range o.Refunds {
			if len(r.Items) > 0 && !recorded[r.RefundID] {
				m.newRefunds = true
			}
		}
	}
	base := o
	if newest != nil && (o.Version.Before(newest.Version) || o.Version.Equal(newest.Version) && m.newRefunds) {
		base = newest
	}
	m.order = *base
	for _, src := range []*normalize.Order{newest, o} {
		if src == nil || src == base {
			continue
		}
		for _, r := range src.Refunds {
			if len(r.Items) == 0 {
				continue
			}
			next, err := m.order.ApplyRefund(r)
			if err != nil {
				return mergedOrder{}, fmt.Errorf("merging refund %s into revision %s: the order's refunds do not fit it: %w", r.RefundID, base.Version.UTC().Format(time.RFC3339Nano), err)
			}
			m.order = next
		}
	}
	return m, nil
}

// nextRevision is the revision instant of a post whose merged order has
// Version v, after an order whose newest revision instant is last: v when
// it is later, one nanosecond after last otherwise. Revision instants
// strictly increase per order because commission.Corrections derives a
// correction's id from its slot and the revision instant (two corrections
// of one slot at one instant would share an id) and ignores a revision
// older than a correction already posted.
func nextRevision(last, v time.Time) time.Time {
	v = v.UTC()
	if v.After(last) {
		return v
	}
	return last.Add(time.Nanosecond)
}

// revisionEntry is the revision record of a post: no amount, the merged
// order calculated (its canonical JSON) in Memo.
func revisionEntry(stream string, o *normalize.Order, at, rev time.Time, lock commission.Lock) (Entry, error) {
	b, err := o.MarshalJSON()
	if err != nil {
		return Entry{}, err
	}
	return Entry{ID: revisionPrefix + stream + " " + rev.Format(time.RFC3339Nano), Type: TypeRevision,
		Effective: rev, Posted: at, Order: o.Key(), Revision: rev, Lock: lock, Memo: string(b)}, nil
}

func isReplacement(o *normalize.Order) bool {
	return o.ReplacesOrderID != "" && o.ReplacesOrderID != o.PlatformOrderID
}

// original is the order a replacement replaces, as its stream says.
type original struct {
	orderState
	key    normalize.Key
	stream string
}

func (l *Ledger) readOriginal(ctx context.Context, o *normalize.Order) (*original, error) {
	key := normalize.Key{Platform: o.Platform, Store: o.Store, OrderID: o.ReplacesOrderID}
	stream := OrderStream(key)
	st, err := l.readStream(ctx, stream)
	if err != nil {
		return nil, err
	}
	return &original{orderState: st, key: key, stream: stream}, nil
}

// basis returns the lock and the genealogy instant to calculate a delivery
// of o with, given its stream: the order's own lock once posted, else the
// lock of the order it replaces when that was posted, else a lock at at;
// for a replacement, the OrderTS of the order it replaces (placed is zero
// when o's own OrderTS stands). orig is the original of a replacement never
// posted, to bring to zero before posting it.
func (l *Ledger) basis(ctx context.Context, o *normalize.Order, st *orderState, at time.Time) (lock commission.Lock, placed time.Time, orig *original, err error) {
	lock = commission.Lock{Known: at}
	if st.seen {
		if st.newest != nil && isReplacement(o) {
			placed = st.newest.OrderTS
		}
		return st.lock, placed, nil, nil
	}
	if !isReplacement(o) {
		return lock, placed, nil, nil
	}
	if orig, err = l.readOriginal(ctx, o); err != nil {
		return lock, placed, nil, err
	}
	if orig.seen {
		lock = orig.lock
		if orig.newest != nil {
			placed = orig.newest.OrderTS
		}
	}
	return lock, placed, orig, nil
}

// zeroOriginal appends, atomically, the corrections that bring every slot
// of the original to zero and the record marking it replaced by the order
// of stream by. The record is appended even to an original never posted,
// so that its late delivery is stale rather than paid beside its
// replacement.
func (l *Ledger) zeroOriginal(ctx context.Context, orig *original, by string, rev, at time.Time) ([]Entry, error) {
	rev = nextRevision(orig.last, rev)
	add, err := correctionEntries(&orig.orderState, commission.Corrections(orig.events, nil, rev), at, rev, orig.lock)
	if err != nil {
		return nil, err
	}
	add = append(add, Entry{ID: replacedPrefix + orig.stream, Type: TypeRevision, Effective: rev, Posted: at,
		Order: orig.key, Revision: rev, Lock: orig.lock, Memo: by})
	if err := l.append(ctx, orig.stream, orig.version, add); err != nil {
		return nil, err
	}
	return add, nil
}

// Order returns the newest revision of an order as the ledger merged and
// calculated it: the newest order body delivered with every refund
// delivered for it (and, for a replacement, the OrderTS of the order it
// replaces). ok is false for an order never posted. Apply a refund
// delivered on its own to this order (normalize.Order.ApplyRefund, or a
// platform decoder's ApplyRefund) rather than to a body kept elsewhere.
func (l *Ledger) Order(ctx context.Context, k normalize.Key) (o normalize.Order, ok bool, err error) {
	st, err := l.readStream(ctx, OrderStream(k))
	if err != nil || st.newest == nil {
		return normalize.Order{}, false, err
	}
	return *st.newest, true, nil
}
