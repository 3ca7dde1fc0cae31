package ledger

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/internal/eventraw"
	"github.com/uplinehq/upline/internal/firstseen"
	"github.com/uplinehq/upline/internal/fixedpoint"
	"github.com/uplinehq/upline/normalize"
)

// orderState is what an order's stream says.
type orderState struct {
	key     normalize.Key
	stream  string
	version int
	// based reports that the order has a basis: a revision record, or
	// events posted by PostEvents.
	based  bool
	lock   commission.Lock
	placed time.Time
	// events are the commissions and corrections posted, summed slot by
	// slot in the order first posted: each slot's original (its first
	// commission, else its first event) with the slot's amounts added up
	// as its amount (see addEvent). Corrections, reconciliation and
	// what-if read the same originals and sums from it as from the events
	// themselves, and an order's state costs its slots, not its revisions.
	events []commission.Event
	slots  firstseen.Index[slotKey]
	next   int // the slot addEvent tries first
	vols   volumeSums
	// ids finds the entries the stream holds by id.
	ids idIndex
	// last is the newest revision instant recorded on any entry.
	last time.Time
	// body is the newest body recorded (greatest Version; of two with one
	// Version, the later recorded); nil when none was.
	body *normalize.Order
	// refunds are the refunds recorded: those delivered on their own, and
	// those with lines any body delivered, in the order they were
	// recorded. Every body is calculated with all of them.
	refunds []normalize.Refund
	// replacedBy is the order that replaced this one; zero when none did.
	replacedBy normalize.Key
	// frozen is the TypeFrozen entry of an order frozen by a currency
	// change, nil otherwise.
	frozen *Entry
	// currency is the order's currency: that of the first body, refund
	// or money its stream records; "" for a stream without any.
	currency string
}

// slotKey is a commission.Slot laid out to be compared: the slots of one
// order share their order, and mostly differ in rule, beneficiary and
// level, compared first.
type slotKey struct {
	rule, beneficiary string
	level             int
	line, component   string
	order             normalize.Key
}

// readState reads the stream of order k from the store.
func (l *Ledger) readState(ctx context.Context, k normalize.Key) (orderState, error) {
	stream := OrderStream(k)
	entries, version, err := l.store.Stream(ctx, stream)
	if err != nil {
		return orderState{}, err
	}
	return readOrder(k, stream, entries, version), nil
}

// readOrder reads an order's stream.
func readOrder(k normalize.Key, stream string, entries []Entry, version int) orderState {
	s := orderState{key: k, stream: stream}
	s.fold(entries, version, false)
	return s
}

// fold reads into s entries, what its stream holds after s.version; version
// is the stream's version after them. Folding a stream in parts gives the
// state folding it whole does. own reports that the entries are a post's
// own, which it appended: s then keeps copies of their bodies and refunds,
// so that it does not share what the caller may change (a body's lines);
// events are immutable, and s shares them.
func (s *orderState) fold(entries []Entry, version int, own bool) {
	if s.version == 0 {
		// Room for the entries at once: most of an order's slots are
		// its first post's.
		events, vols := 0, 0
		for i := range entries {
			switch entries[i].Type {
			case TypeCommission, TypeCorrection:
				events++
			case TypeVolume:
				vols++
			}
		}
		s.events = slices.Grow(s.events, events)
		s.slots.Grow(events)
		s.vols.grow(vols)
		s.ids.reserve(len(entries))
	}
	for i := range entries {
		e := &entries[i]
		s.ids.add(e.ID, e.Type, e.Event)
		if e.Revision.After(s.last) {
			s.last = e.Revision
		}
		switch e.Type {
		case TypeCommission, TypeCorrection:
			if !s.based {
				s.based, s.lock = true, e.Lock
			}
			s.addEvent(e.Event)
			s.setCurrency(e.Currency)
		case TypeRevision:
			body := e.Body
			if own {
				body = ownOrder(body)
			}
			s.based, s.lock, s.placed = true, e.Lock, e.Placed
			s.setCurrency(body.Currency)
			for _, r := range body.Refunds {
				if len(r.Items) > 0 && !s.hasRefund(r.RefundID, true) {
					s.refunds = append(s.refunds, r)
				}
			}
			if s.body == nil || !body.Version.Before(s.body.Version) {
				s.body = body
			}
		case TypeRefund:
			r := *e.Refund
			if own {
				r.Items = slices.Clone(r.Items)
			}
			s.refunds = append(s.refunds, r)
			s.setCurrency(r.Currency)
		case TypeVolume:
			s.vols.add(e.Member, e.Volume)
			s.setCurrency(e.Currency)
		case TypeReplaced:
			s.replacedBy = e.ReplacedBy
		case TypeFrozen:
			if own {
				c := *e
				e = &c
			}
			s.frozen = e
		}
	}
	s.version = version
}

// addEvent adds a posted event to its slot's sum. The sum keeps the
// slot's original, the event a correction of the slot points at, with
// the slot's amount; it records no uncapped amount.
func (s *orderState) addEvent(e *commission.Event) {
	k := slotKey{e.Rule, e.Beneficiary, e.Level, e.LineID, e.Component, e.Order}
	// A revision's events come in the order of the slots they correct, the
	// order most of them were first posted in: the slot after the last one
	// found is tried before searching.
	i, added := s.next, false
	if keys := s.slots.Keys(); i >= len(keys) || keys[i] != k {
		i, added = s.slots.Add(k)
	}
	s.next = i + 1
	if added {
		s.events = append(s.events, *e)
		i = len(s.events) - 1
	}
	sum := &s.events[i]
	amount := e.AmountMinor()
	if !added {
		amount += sum.AmountMinor()
		if e.Kind == commission.KindCommission && sum.Kind != commission.KindCommission {
			*sum = *e
		}
	}
	f := eventraw.Of(sum)
	f.Amount, f.Uncapped = amount, 0
	eventraw.Set(sum, f)
}

// ownOrder returns a copy of o that shares nothing o's owner may change.
func ownOrder(o *normalize.Order) *normalize.Order {
	c := *o
	c.Items = slices.Clone(o.Items)
	if o.Refunds != nil {
		c.Refunds = make([]normalize.Refund, len(o.Refunds))
		for i, r := range o.Refunds {
			r.Items = slices.Clone(r.Items)
			c.Refunds[i] = r
		}
	}
	return &c
}

// postState reads order k's state for a post: the state the ledger kept
// from its last post of k, with what was appended since read from the
// store's tail (Tailer), or else the whole stream. The caller owns it until
// it hands it back with keepState.
func (l *Ledger) postState(ctx context.Context, k normalize.Key) (orderState, error) {
	stream := OrderStream(k)
	s := l.states.take(stream)
	if s == nil {
		s = &orderState{key: k, stream: stream}
	}
	entries, version, err := streamAfter(ctx, l.store, stream, s.version)
	if err != nil {
		return orderState{}, err
	}
	if version-s.version != len(entries) {
		// Not the tail promised: read the whole stream.
		return l.readState(ctx, k)
	}
	s.fold(entries, version, false)
	return *s, nil
}

// appendOwn appends a post's entries to the stream of st, the state the
// post read, and folds them into st once they are appended: the stream
// then holds st's entries and these after them, so st stays what folding
// the stream's first st.version entries gives. A failed append leaves st
// as it was. An order's first post (st read nothing) keeps no state: most
// orders are posted once, folding would cost a first post a tenth more,
// and up to 1,024 states of orders posted once would be heap the
// collector marks every cycle. The order's second post reads its stream
// whole.
func (l *Ledger) appendOwn(ctx context.Context, st *orderState, add []Entry) error {
	if err := l.store.Append(ctx, st.stream, st.version, add); err != nil || st.version == 0 {
		return err
	}
	st.fold(add, st.version+len(add), true)
	return nil
}

// keepState keeps s, a state postState returned, for the order's next
// post. A state is kept at the version it was read at, or that its own
// append took it to (appendOwn), which stays true of the stream's first
// entries whatever is appended after them: the next post reads what others
// appended since.
//
// The cache gets a copy, made only here: a post's own state then stays
// off the heap, and an order's first post (version 0), which keeps
// nothing, allocates none.
func (l *Ledger) keepState(s *orderState) {
	if s.version > 0 {
		kept := *s
		l.states.keep(&kept)
	}
}

// cachedStates bounds the order states a Ledger keeps.
const cachedStates = 1024

// stateCache holds the states of the orders a ledger posted last, by
// stream. A state is taken out while a post uses it: two posts of one
// order at once never share one.
type stateCache struct {
	mu     sync.Mutex
	states map[string]*orderState
}

func (c *stateCache) take(stream string) *orderState {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.states[stream]
	if s != nil {
		delete(c.states, stream)
	}
	return s
}

func (c *stateCache) keep(s *orderState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.states == nil {
		c.states = make(map[string]*orderState)
	}
	if old, ok := c.states[s.stream]; ok && old.version >= s.version {
		return
	}
	if len(c.states) >= cachedStates {
		for k := range c.states { // any one: which does not change what a post does
			delete(c.states, k)
			break
		}
	}
	c.states[s.stream] = s
}

func (s *orderState) setCurrency(c string) {
	if s.currency == "" {
		s.currency = c
	}
}

// hasRefund reports whether a refund with id is recorded with lines, or,
// unless withLines, at all (a summary in the newest body, or a refund
// without lines delivered on its own).
func (s *orderState) hasRefund(id string, withLines bool) bool {
	lists := [][]normalize.Refund{s.refunds}
	if s.body != nil {
		lists = append(lists, s.body.Refunds)
	}
	for _, list := range lists {
		for i := range list {
			if list[i].RefundID == id && (len(list[i].Items) > 0 || !withLines) {
				return true
			}
		}
	}
	return false
}

// merge returns body with every refund in refunds applied to it
// (normalize.Order.ApplyRefund appends a missing refund, replaces a
// summary without lines by the refund with its lines, and ignores one
// already there), or a *normalize.Error wrapping ErrRefundExceeds when the
// refunds do not fit the body.
func merge(body *normalize.Order, refunds []normalize.Refund) (normalize.Order, error) {
	m := *body
	for _, r := range refunds {
		next, err := m.ApplyRefund(r)
		if err != nil {
			return normalize.Order{}, fmt.Errorf("refund %s does not fit the order's body of %s: %w", r.RefundID,
				body.Version.UTC().Format(time.RFC3339Nano), err)
		}
		m = next
	}
	return m, nil
}

// sameBody reports whether two bodies of one order say the same but for
// their Version and OrderTS: a delivery received again (the referral form
// has no timestamp of its own, so its instants are the receive time).
func sameBody(a, b *normalize.Order) bool {
	// Fields the canonical form writes as they are: a revision differs
	// from the body before it here, mostly, without encoding either.
	if a.Status != b.Status || a.Currency != b.Currency || a.DistributorRef != b.DistributorRef ||
		len(a.Items) != len(b.Items) || len(a.Refunds) != len(b.Refunds) {
		return false
	}
	x, y := *a, *b
	x.Version, x.OrderTS = y.Version, y.OrderTS
	ja, errA := x.MarshalJSON()
	jb, errB := y.MarshalJSON()
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
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

// basis is what an order is calculated on: the lock, and the instant the
// genealogy is read at.
type basis struct {
	lock   commission.Lock
	placed time.Time
}

func (s *orderState) basis() basis { return basis{s.lock, s.placed} }

// volumeSlot is what a volume entry is for. The customer is part of it,
// so that an order whose buyer turns out otherwise moves its volume from
// one slot to the other rather than keeping the first buyer's.
type volumeSlot struct {
	member, line, component, customer string
}

// volumeSums sums an order's volume entries per slot, in first-seen order:
// sums[i] is the sum of slot index.Keys()[i].
type volumeSums struct {
	index firstseen.Index[volumeSlot]
	sums  []Volume
}

// keys returns the slots, in first-seen order.
func (v *volumeSums) keys() []volumeSlot { return v.index.Keys() }

// sum returns the sum of slot k, or nil when k has none.
func (v *volumeSums) sum(k volumeSlot) *Volume {
	if i, ok := v.index.Find(k); ok {
		return &v.sums[i]
	}
	return nil
}

// grow makes room for n more slots.
func (v *volumeSums) grow(n int) {
	v.index.Grow(n)
	v.sums = slices.Grow(v.sums, n)
}

func (v *volumeSums) add(member string, x *Volume) {
	i, added := v.index.Add(volumeSlot{member, x.LineID, x.Component, x.Customer})
	if added {
		v.sums = append(v.sums, *x)
		return
	}
	s := &v.sums[i]
	s.PV, s.QV, s.CV, s.Net = fixedpoint.Add(s.PV, x.PV), fixedpoint.Add(s.QV, x.QV), fixedpoint.Add(s.CV, x.CV), fixedpoint.Add(s.Net, x.Net)
}

// desiredVolumes sets v, empty, to what a calculation's lines add to the
// credited member's volumes, one slot per line or component.
func desiredVolumes(v *volumeSums, calc *commission.Calculation) {
	if calc == nil || calc.Snapshot == nil || calc.Snapshot.Credited.Member == "" {
		return
	}
	v.grow(len(calc.Lines)) // a slot per line at most: one allocation each for the index and the sums
	for i := range calc.Lines {
		m := &calc.Lines[i]
		comp := ""
		if m.Component >= 0 {
			comp = m.SKU.ID
		}
		v.add(calc.Snapshot.Credited.Member, &Volume{LineID: m.LineID, Component: comp, Customer: calc.Snapshot.Customer,
			PV: m.PV, QV: m.QV, CV: m.CV, Net: m.Net})
	}
}

// desiredPool holds the volume sums calculate wants and drops once it has
// the entries, which copy what they keep of them: a post's scratch, taken
// by one post at a time.
var desiredPool = sync.Pool{New: func() any { return new(volumeSums) }}

// pooledSlots bounds the slots of volume sums put back in desiredPool, so
// that one large order does not keep its room for every post after it.
const pooledSlots = 64

// putDesired empties v and puts it back in desiredPool.
func putDesired(v *volumeSums) {
	if cap(v.sums) > pooledSlots {
		return
	}
	v.index.Reset()
	clear(v.sums)
	v.sums = v.sums[:0]
	desiredPool.Put(v)
}

// volumeEntries appends to out the volume entries that bring the posted
// volumes to the desired ones: one per slot whose sums differ, effective
// at placed for a slot never posted and at rev for a correction. Their ids
// are written to ids.
func volumeEntries(out []Entry, ids *strings.Builder, st *orderState, desired *volumeSums, currency string, at, rev, placed time.Time, b basis) []Entry {
	// Each entry's volume from one block, and the ids' common part
	// written once.
	vols := make([]Volume, 0, len(desired.sums)+len(st.vols.sums))
	var buf [128]byte
	prefix := append(append(append(buf[:0], "volume "...), st.stream...), ' ')
	prefix = append(rev.UTC().AppendFormat(prefix, time.RFC3339Nano), ' ')
	// The ids go to ids one after the other: a strings.Builder only
	// appends, so what its String returned before stays as it was.
	grown := false
	entry := func(k volumeSlot, d Volume, first bool) {
		if d.PV.IsZero() && d.QV.IsZero() && d.CV.IsZero() && d.Net.IsZero() {
			return
		}
		if !grown {
			ids.Grow(volumeIDsLen(len(prefix), desired, &st.vols))
			grown = true
		}
		var buf [256]byte
		start := ids.Len()
		ids.Write(appendVolumeID(append(buf[:0], prefix...), k))
		eff := rev
		if first {
			eff = placed
		}
		d.LineID, d.Component, d.Customer = k.line, k.component, k.customer
		vols = append(vols, d)
		var e *Entry
		out, e = nextEntry(out)
		e.ID, e.Type, e.Member, e.Currency, e.Volume = ids.String()[start:], TypeVolume, k.member, currency, &vols[len(vols)-1]
		e.Effective, e.Posted, e.Order, e.Revision, e.Lock, e.Placed = eff.UTC(), at, st.key, rev, b.lock, b.placed.UTC()
	}
	for i, k := range desired.keys() {
		want := &desired.sums[i]
		have := st.vols.sum(k)
		if have == nil {
			entry(k, *want, true)
			continue
		}
		entry(k, Volume{PV: fixedpoint.Sub(want.PV, have.PV), QV: fixedpoint.Sub(want.QV, have.QV), CV: fixedpoint.Sub(want.CV, have.CV),
			Net: fixedpoint.Sub(want.Net, have.Net)}, false)
	}
	for i, k := range st.vols.keys() {
		if desired.sum(k) != nil {
			continue
		}
		have := &st.vols.sums[i]
		entry(k, Volume{PV: have.PV.Neg(), QV: have.QV.Neg(), CV: have.CV.Neg(), Net: have.Net.Neg()}, false)
	}
	return out
}

// appendVolumeID appends to b, which holds "volume ", the order's stream,
// the revision instant and a space, the rest of slot k's volume entry id.
func appendVolumeID(b []byte, k volumeSlot) []byte {
	b = append(appendQuote(b, k.member), ' ')
	b = append(appendQuote(b, k.line), ' ')
	b = appendQuote(b, k.component)
	if k.customer != "" { // the member's own purchases keep the ids they had before customers were recorded
		b = appendQuote(append(b, ' '), k.customer)
	}
	return b
}

// volumePrefixLen is the length of the common part of st's volume entry
// ids, at most.
func volumePrefixLen(st *orderState) int {
	return len("volume ") + len(st.stream) + 1 + len(time.RFC3339Nano) + 1
}

// volumeIDsLen is the length of the volume entry ids of every slot of
// desired and posted, each with a prefix of length prefix, when no part
// needs escaping: room enough for them most often.
func volumeIDsLen(prefix int, desired, posted *volumeSums) int {
	n := 0
	for _, v := range [2]*volumeSums{desired, posted} {
		for _, k := range v.keys() {
			n += prefix + len(k.member) + len(k.line) + len(k.component) + len(k.customer) + 4*2 + 3 // four quoted parts, three spaces
		}
	}
	return n
}

// zero returns the entries that bring every money and volume slot of the
// order to zero at revision rev.
func (s *orderState) zero(at, rev time.Time) ([]Entry, error) {
	corr := commission.Corrections(s.events, nil, rev)
	var ids strings.Builder
	add, err := correctionEntries(make([]Entry, 0, len(corr)+len(s.vols.sums)+1), &ids, s, corr, at, rev, s.lock)
	if err != nil {
		return nil, err
	}
	return volumeEntries(add, &ids, s, &volumeSums{}, s.currency, at, rev, rev, s.basis()), nil
}

// correctionEntries appends to add the entries of an order's corrections
// at revision rev, less those the stream st already holds; one it holds
// differently is a *ConflictError.
// An event without an amount is no correction (an order's first post
// passes its calculation's events, which may hold some).
func correctionEntries(add []Entry, sb *strings.Builder, st *orderState, corr []commission.Event, at, rev time.Time, lock commission.Lock) ([]Entry, error) {
	ids := eventIDs(sb, corr)
	at = at.UTC()
	for i := range corr {
		if corr[i].AmountMinor() == 0 {
			continue
		}
		var e *Entry
		add, e = nextEntry(add)
		setEventEntry(e, &corr[i], ids[i*ulid.EncodedSize:][:ulid.EncodedSize], at, rev, lock)
		if p := st.ids.find(e.ID); p != nil {
			if err := sameEntry(p, e); err != nil {
				return nil, err
			}
			*e = Entry{} // the room past add's length stays zero
			add = add[:len(add)-1]
		}
	}
	return add, nil
}
