package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// Calculator calculates an order revision's desired commission events.
// *commission.Engine is one. The Calculation it returns belongs to the
// Ledger from then on: an order's first post appends its events as they
// are, so a Calculator must not reuse them for a later call.
type Calculator interface {
	Calculate(o *normalize.Order, lock commission.Lock) (*commission.Calculation, error)
}

var _ Calculator = (*commission.Engine)(nil)

// DefaultAttempts is how often a writer re-reads a stream and tries again
// after losing a race to another writer, unless Options says otherwise.
const DefaultAttempts = 100

// Options configures a Ledger. The zero Options is ready to use.
type Options struct {
	// Attempts bounds how often a post is tried when other writers keep
	// appending to the same stream first; 0 means DefaultAttempts.
	Attempts int
}

// Ledger posts commission events exactly once and answers balances,
// statements, payouts, reconciliation and yearly totals from a Store. It
// is safe for concurrent use; any number of Ledgers (in any number of
// processes) may share one Store. What it keeps of its own is what the
// Store says already: the state of the orders it posted last, each as of
// a version of the order's stream, so that a post reads only what was
// appended since (see Tailer).
type Ledger struct {
	store    Store
	calc     Calculator
	attempts int
	states   *stateCache
}

// New returns a ledger over store that calculates orders with calc (which
// may be nil when the ledger is used without Post and Reconcile).
func New(store Store, calc Calculator, opts ...Options) *Ledger {
	l := &Ledger{store: store, calc: calc, attempts: DefaultAttempts, states: new(stateCache)}
	for _, o := range opts {
		if o.Attempts > 0 {
			l.attempts = o.Attempts
		}
	}
	return l
}

// Store returns the ledger's store.
func (l *Ledger) Store() Store { return l.store }

// Outcome is what posting a delivery did.
type Outcome uint8

const (
	// Posted: the delivery changed what the ledger knows of the order (a
	// newer body, or a refund not recorded yet); its corrections, if any,
	// and its record were appended.
	Posted Outcome = iota + 1
	// Duplicate: this body or refund was posted already; nothing was
	// appended.
	Duplicate
	// Stale: a newer body was posted already and the delivery brings no
	// refund the ledger does not know, or the order was replaced by
	// another; nothing of the delivery was appended.
	Stale
	// Waiting: a refund for an order the ledger has not seen yet was
	// recorded; it is applied when the order's body arrives.
	Waiting
)

var outcomeNames = [...]string{"", "posted", "duplicate", "stale", "waiting"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && o != 0 {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Result reports what Post or PostRefund did with one delivery.
type Result struct {
	Order   normalize.Key
	Outcome Outcome
	// Revision is the ledger's revision instant the entries appended
	// record (see the package documentation). For a delivery that
	// appended nothing it is the delivery's own instant.
	Revision time.Time
	// Newest is the Version of the newest body posted before this
	// delivery (zero for an order without one).
	Newest time.Time
	// Lock is the lock the order is calculated with.
	Lock commission.Lock
	// Replaced is the order a replacement (normalize.Order.ReplacesOrderID)
	// brought to zero in this post; zero when there was none, or when a
	// post before this one did it.
	Replaced normalize.Key
	// ReplacedBy is, for a Stale delivery of a replaced order, the order
	// that replaced it.
	ReplacedBy normalize.Key
	// Calculation is the merged order's calculation, whose breakage and
	// cap explain the events (nil when nothing was calculated). Its events
	// may be those of Entries (an order's first post appends them as
	// they are): do not modify them.
	Calculation *commission.Calculation
	// Entries are the entries appended, with Position, Stream and Seq
	// set: those of other orders first (the original a replacement
	// zeroes, the replacement a late link of a chain re-bases), then the
	// order's own.
	Entries []Entry
	// Attempts counts the tries: more than 1 when other writers appended
	// to the order first.
	Attempts int
}

// Post posts one body of an order (any revision, in any order, any number
// of times): it records the body, merges it with every refund recorded
// for the order, calculates the merged order on the order's basis (the
// lock and genealogy instant fixed by its first post) and appends only the
// corrections of its commissions and volumes and the body's revision
// record. at is the posting instant, recorded on every entry.
//
// A body older than the newest one posted that brings no new refund is
// Stale; the newest body again, or a body that says the same but for its
// instants, is a Duplicate; neither appends anything. Two different bodies
// with one Version that calculate differently are refused with a
// *ConflictError. A body that is invalid or does not add up
// (normalize.Validate, normalize.Reconcile), that cannot be calculated,
// whose order's refunds take back more than it sold, that is in another
// currency than the order was posted in, or that replaces an order
// another order replaced already, is refused with a *HeldError. A
// replacement order (ReplacesOrderID) first brings the order it replaces
// to zero. When another writer appends to the order first, Post reads
// again and decides again. The package documentation states the rules
// exactly.
func (l *Ledger) Post(ctx context.Context, o *normalize.Order, at time.Time) (Result, error) {
	return l.post(ctx, o, at, nil)
}

// appendFunc appends entries to stream at version: PostAll's, which
// keeps them for one batch.
type appendFunc func(ctx context.Context, stream string, version int, entries []Entry) error

// post is Post, appending the order's own entries with app, or with
// Store.Append when app is nil: then the order's state learns the entries
// as they are appended rather than reading them back at its next post.
func (l *Ledger) post(ctx context.Context, o *normalize.Order, at time.Time, app appendFunc) (Result, error) {
	res := Result{Order: o.Key(), Revision: o.Version.UTC()}
	if l.calc == nil {
		return res, fmt.Errorf("%w: the ledger has no calculator", ErrInvalid)
	}
	if err := normalize.Validate(o); err != nil {
		return res, &HeldError{Order: res.Order, Revision: res.Revision, Err: err}
	}
	if err := normalize.Reconcile(o); err != nil {
		return res, &HeldError{Order: res.Order, Revision: res.Revision, Err: err}
	}
	return res, l.retry(&res, func() (bool, error) { return l.postBody(ctx, o, at.UTC(), app, &res) })
}

// PostRefund posts a refund delivered on its own, such as Shopify's
// refunds/create or a Magento credit memo. It names its order (Platform,
// Store, OrderID). The refund is recorded apart from the order's bodies
// and applies to every one of them, earlier and later: for an order
// already posted, the merged order is calculated again and the clawbacks
// appended (Posted); for an order not seen yet, the refund is recorded and
// waits for its order's body (Waiting). A refund already recorded with its
// lines is a Duplicate. A refund that is invalid, or takes back more than
// the order sold, is refused with a *HeldError.
func (l *Ledger) PostRefund(ctx context.Context, r normalize.Refund, at time.Time) (Result, error) {
	res := Result{Order: normalize.Key{Platform: r.Platform, Store: r.Store, OrderID: r.OrderID}, Revision: r.TS.UTC()}
	if l.calc == nil {
		return res, fmt.Errorf("%w: the ledger has no calculator", ErrInvalid)
	}
	switch {
	case r.Platform == "":
		return res, &HeldError{Order: res.Order, Revision: res.Revision,
			Err: fmt.Errorf("%w: refund %s names no platform", normalize.ErrMissing, r.RefundID)}
	case r.Currency == "":
		return res, &HeldError{Order: res.Order, Revision: res.Revision,
			Err: fmt.Errorf("%w: refund %s names no currency", normalize.ErrMissing, r.RefundID)}
	}
	if err := normalize.ValidateRefund(&r); err != nil {
		return res, &HeldError{Order: res.Order, Revision: res.Revision, Err: err}
	}
	return res, l.retry(&res, func() (bool, error) { return l.postRefund(ctx, &r, at.UTC(), &res) })
}

// retry calls once until it is done, at most l.attempts times: once
// reports false when another writer appended to a stream first.
func (l *Ledger) retry(res *Result, once func() (bool, error)) error {
	for res.Attempts < l.attempts {
		res.Attempts++
		res.Entries = res.Entries[:0]
		if done, err := once(); err != nil || done {
			return err
		}
	}
	return fmt.Errorf("%w: order %s after %d attempts", ErrContention, res.Order, res.Attempts)
}

// postBody makes one attempt at Post; done is false when another writer
// appended first and Post must read again.
func (l *Ledger) postBody(ctx context.Context, o *normalize.Order, at time.Time, app appendFunc, res *Result) (done bool, err error) {
	key := res.Order
	st, err := l.postState(ctx, key)
	if err != nil {
		return true, err
	}
	defer func() {
		if done {
			l.keepState(&st)
		}
	}()
	if st.body != nil {
		res.Newest = st.body.Version.UTC()
	}
	res.Lock = st.lock
	if st.frozen != nil {
		return true, frozenError(&st, res.Revision)
	}
	if st.replacedBy != (normalize.Key{}) {
		res.Outcome, res.ReplacedBy = Stale, st.replacedBy
		switch {
		case isReplacement(o):
			return l.adoptLink(ctx, o, &st, at, res)
		case !st.based:
			return l.adoptRoot(ctx, o, &st, at, res)
		}
		// The root of a chain of edits, posted before: the chain's last
		// order should be on its basis; a re-basing that stopped midway is
		// finished here, and otherwise nothing is appended.
		last, err := l.chainEnd(ctx, o, st.replacedBy)
		if err != nil {
			return true, err
		}
		return l.rebase(ctx, o, last, at, res)
	}
	if st.currency != "" && o.Currency != st.currency {
		return l.freeze(ctx, &st, "the body", o.Version, o.Currency, at, res)
	}

	var fresh []normalize.Refund // refunds with lines o brings that are not recorded
	for _, r := range o.Refunds {
		if len(r.Items) > 0 && !st.hasRefund(r.RefundID, true) {
			fresh = append(fresh, r)
		}
	}
	body, refunds, sameVersion := o, st.refunds, false
	switch {
	case st.body == nil:
	case o.Version.Before(st.body.Version):
		if len(fresh) == 0 {
			res.Outcome = Stale
			return true, nil
		}
		// An older body with a refund not recorded yet: the refund counts,
		// the body does not.
		body, refunds = nil, append(slices.Clip(st.refunds), fresh...)
	case sameBody(o, st.body):
		res.Outcome = Duplicate
		return true, nil
	case o.Version.Equal(st.body.Version) && len(fresh) == 0:
		sameVersion = true
	case o.Version.Equal(st.body.Version):
		// A body of the newest version with a new refund: the refund
		// counts; the body must say what the newest one says besides its
		// refunds and status, or it is a conflict.
		if !sameBody(withoutRefunds(o), withoutRefunds(st.body)) {
			return true, &ConflictError{ID: "order " + key.String() + " revision " + o.Version.UTC().Format(time.RFC3339Nano), Field: "body",
				Posted: "one body", Given: "another, with refund " + fresh[0].RefundID}
		}
		body, refunds = nil, append(slices.Clip(st.refunds), fresh...)
	}
	base := body
	if base == nil {
		base = st.body
	}
	merged, err := merge(base, refunds)
	if err != nil {
		return true, &HeldError{Order: key, Revision: o.Version.UTC(), Err: err}
	}
	b, orig, err := l.basisFor(ctx, o, &st, at)
	if errors.Is(err, errReread) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	var ids strings.Builder
	calc, add, rev, err := l.calculate(&st, &merged, b, at, &ids)
	if err != nil {
		return true, err
	}
	if sameVersion {
		if len(add) == 0 {
			res.Outcome = Duplicate
			return true, nil
		}
		return true, &ConflictError{ID: "order " + key.String() + " revision " + o.Version.UTC().Format(time.RFC3339Nano), Field: "body",
			Posted: "one that calculates as posted", Given: "one that posts " + describe(&add[0])}
	}
	if body == nil {
		for i := range fresh {
			add = append(add, refundEntry(&st, &fresh[i], at, rev))
		}
	} else {
		add = append(add, revisionEntry(&ids, &st, body, basis{calc.Lock, b.placed}, at, rev))
	}
	if orig != nil && orig.replacedBy == (normalize.Key{}) {
		// Bring the original to zero and mark it replaced first: should
		// the process stop before the replacement is appended, the next
		// delivery finds the original marked and posts the replacement.
		zeroed, err := l.replace(ctx, orig, key, b.placed, rev, at)
		if errors.Is(err, ErrVersionConflict) {
			return false, nil
		}
		if err != nil {
			return true, err
		}
		res.Replaced = orig.key
		res.Entries = append(res.Entries, zeroed...)
	}
	if app != nil {
		err = app(ctx, st.stream, st.version, add)
	} else {
		err = l.appendOwn(ctx, &st, add)
	}
	if errors.Is(err, ErrVersionConflict) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	res.Outcome, res.Revision, res.Lock, res.Calculation = Posted, rev, calc.Lock, calc
	if len(res.Entries) == 0 {
		res.Entries = add
	} else {
		res.Entries = append(res.Entries, add...)
	}
	if !isReplacement(o) {
		return true, nil
	}
	// An order before this one in its chain may have got its basis while
	// this post ran (its body arriving at the same time): the chain is
	// calculated on the basis it starts from. Either these reads see that
	// basis, or that post saw this one's body and re-based it.
	last, err := l.chainEnd(ctx, o, key)
	if err != nil {
		return true, err
	}
	return l.rebase(ctx, o, last, at, res)
}

// postRefund makes one attempt at PostRefund.
func (l *Ledger) postRefund(ctx context.Context, r *normalize.Refund, at time.Time, res *Result) (done bool, err error) {
	st, err := l.postState(ctx, res.Order)
	if err != nil {
		return true, err
	}
	defer func() {
		if done {
			l.keepState(&st)
		}
	}()
	if st.body != nil {
		res.Newest = st.body.Version.UTC()
	}
	res.Lock = st.lock
	switch {
	case st.frozen != nil:
		return true, frozenError(&st, res.Revision)
	case st.replacedBy != (normalize.Key{}):
		res.Outcome, res.ReplacedBy = Stale, st.replacedBy
		return true, nil
	case st.hasRefund(r.RefundID, len(r.Items) > 0):
		res.Outcome = Duplicate
		return true, nil
	case st.currency != "" && r.Currency != st.currency:
		return l.freeze(ctx, &st, "refund "+r.RefundID, r.TS, r.Currency, at, res)
	}
	if st.body == nil {
		rev := nextRevision(st.last, r.TS)
		add := []Entry{refundEntry(&st, r, at, rev)}
		if err := l.appendOwn(ctx, &st, add); errors.Is(err, ErrVersionConflict) {
			return false, nil
		} else if err != nil {
			return true, err
		}
		res.Outcome, res.Revision, res.Entries = Waiting, rev, add
		return true, nil
	}
	merged, err := merge(st.body, append(slices.Clip(st.refunds), *r))
	if err != nil {
		return true, &HeldError{Order: res.Order, Revision: res.Revision, Err: err}
	}
	var ids strings.Builder
	calc, add, rev, err := l.calculate(&st, &merged, st.basis(), at, &ids)
	if err != nil {
		return true, err
	}
	add = append(add, refundEntry(&st, r, at, rev))
	if err := l.appendOwn(ctx, &st, add); errors.Is(err, ErrVersionConflict) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	res.Outcome, res.Revision, res.Lock, res.Calculation, res.Entries = Posted, rev, calc.Lock, calc, add
	return true, nil
}

// calculate calculates the merged order m of the order st on basis b and
// returns the entries that bring what is posted to what it desires: the
// corrections of its commissions, then of its volumes, at revision rev.
// The entries' ids are written to ids, with room for a revision record's
// after them: one allocation for every id of a post.
func (l *Ledger) calculate(st *orderState, m *normalize.Order, b basis, at time.Time, ids *strings.Builder) (*commission.Calculation, []Entry, time.Time, error) {
	calcOrder := *m
	calcOrder.OrderTS = b.placed
	calc, err := l.calc.Calculate(&calcOrder, b.lock)
	if err != nil {
		return nil, nil, time.Time{}, &HeldError{Order: st.key, Revision: m.Version.UTC(), Err: err}
	}
	rev := nextRevision(st.last, m.Version)
	corr := calc.Events // an order's first post: each event with an amount is appended as it is
	if len(st.events) > 0 {
		corr = commission.Corrections(st.events, calc.Events, rev)
	}
	want := desiredPool.Get().(*volumeSums)
	defer putDesired(want)
	desiredVolumes(want, calc)
	ids.Grow(len(corr)*ulid.EncodedSize + volumeIDsLen(volumePrefixLen(st), want, &st.vols) + revisionIDLen(st))
	// Room for every correction, every volume slot, and the records the
	// caller appends after them: one allocation, even for a large order.
	add := make([]Entry, 0, len(corr)+len(want.sums)+len(st.vols.sums)+1+len(m.Refunds))
	add, err = correctionEntries(add, ids, st, corr, at, rev, calc.Lock)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	add = volumeEntries(add, ids, st, want, m.Currency, at, rev, b.placed, basis{calc.Lock, b.placed})
	return calc, add, rev, nil
}

// revisionEntry is the record of body, posted at revision rev on basis b;
// its id is written to ids (a concatenation of rev.Format would take two
// allocations).
func revisionEntry(ids *strings.Builder, st *orderState, body *normalize.Order, b basis, at, rev time.Time) Entry {
	rec := *body
	start := ids.Len()
	ids.Grow(revisionIDLen(st))
	var buf [len(time.RFC3339Nano) + 8]byte
	ids.WriteString("revision ")
	ids.WriteString(st.stream)
	ids.WriteByte(' ')
	ids.Write(rev.AppendFormat(buf[:0], time.RFC3339Nano))
	return Entry{ID: ids.String()[start:], Type: TypeRevision,
		Effective: rev, Posted: at, Order: st.key, Revision: rev, Lock: b.lock, Placed: b.placed, Body: &rec}
}

func refundEntry(st *orderState, r *normalize.Refund, at, rev time.Time) Entry {
	rec := *r
	return Entry{ID: "refund " + st.stream + " " + strconv.Quote(r.RefundID) + " " + rev.Format(time.RFC3339Nano), Type: TypeRefund,
		Effective: rev, Posted: at, Order: st.key, Revision: rev, Lock: st.lock, Refund: &rec}
}

// withoutRefunds returns o without its refunds and with status paid: what
// a body says besides what its refunds change.
func withoutRefunds(o *normalize.Order) *normalize.Order {
	c := *o
	c.Refunds, c.Status = nil, normalize.StatusPaid
	return &c
}

// describe names what an entry would change, for a conflict.
func describe(e *Entry) string {
	if e.Event != nil {
		return fmt.Sprintf("%s %s %s for %s in rule %s", e.Event.Kind, e.Amount, e.Currency, e.Member, e.Rule)
	}
	v := e.Volume
	return fmt.Sprintf("volume of line %s for %s: PV %s, QV %s, CV %s, net %s %s", v.LineID, e.Member, v.PV, v.QV, v.CV, v.Net, e.Currency)
}

// eventEntry is the entry of ev, which it keeps: ev must not change.
func eventEntry(ev *commission.Event, at, rev time.Time, lock commission.Lock) Entry {
	var e Entry
	setEventEntry(&e, ev, ev.ID.String(), at.UTC(), rev, lock)
	return e
}

// setEventEntry sets e, a zero Entry, to the entry of ev, which it keeps;
// id is ev.ID's string form, at in UTC. Set in place: an Entry is large,
// and copying one costs a write barrier per pointer in it while the
// garbage collector marks.
func setEventEntry(e *Entry, ev *commission.Event, id string, at, rev time.Time, lock commission.Lock) {
	e.ID, e.Type, e.Event = id, TypeCommission, ev
	if ev.Kind == commission.KindCorrection {
		e.Type = TypeCorrection
	}
	e.Member, e.Currency, e.Amount, e.Rule, e.Order = ev.Beneficiary, ev.Currency, ev.Amount(), ev.Rule, ev.Order
	e.Effective, e.Posted, e.Revision, e.Lock = ev.Effective.UTC(), at, rev, lock
}

// nextEntry returns add with one more entry, zero, and that entry. The
// room past the length of a slice of entries a post builds is zero (as
// make left it), and taken as it is: appending a zero Entry would write
// each of its pointers again, a write barrier each while the garbage
// collector marks.
func nextEntry(add []Entry) ([]Entry, *Entry) {
	if len(add) < cap(add) {
		add = add[:len(add)+1]
	} else {
		add = append(add, Entry{})
	}
	return add, &add[len(add)-1]
}

// revisionIDLen is the length of the id of a revision record of st, at
// most.
func revisionIDLen(st *orderState) int {
	return len("revision ") + len(st.stream) + 1 + len(time.RFC3339Nano)
}

// eventIDs writes the string forms of the ids of events to sb and returns
// them, one after the other in one string: event i's is
// ids[i*ulid.EncodedSize:][:ulid.EncodedSize]. A strings.Builder only
// appends, so a string its String returned stays as it was.
func eventIDs(sb *strings.Builder, events []commission.Event) (ids string) {
	start := sb.Len()
	sb.Grow(len(events) * ulid.EncodedSize)
	var id [ulid.EncodedSize]byte
	for i := range events {
		_ = events[i].ID.MarshalTextTo(id[:])
		sb.Write(id[:])
	}
	return sb.String()[start:]
}

// EventsResult reports what PostEvents did.
type EventsResult struct {
	// Entries are the entries appended.
	Entries []Entry
	// AlreadyPosted are the ids of events posted before, with the same
	// content.
	AlreadyPosted []string
}

// PostEvents posts events as given, idempotently per event id: an event
// already posted with the same content is reported in AlreadyPosted and
// not appended again; one already posted with different content fails
// with a *ConflictError naming the first differing field, and nothing of
// its order is appended. Events are grouped by order; each order's events
// are appended atomically. Unlike Post, PostEvents does not decide what
// should be posted: use it to import events calculated elsewhere.
func (l *Ledger) PostEvents(ctx context.Context, events []commission.Event, at time.Time) (EventsResult, error) {
	var res EventsResult
	var keys []normalize.Key
	groups := make(map[normalize.Key][]*commission.Event)
	for i := range events {
		k := events[i].Order
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], &events[i])
	}
	for _, k := range keys {
		stream := OrderStream(k)
		done := false
		for attempt := 0; attempt < l.attempts && !done; attempt++ {
			st, err := l.readState(ctx, k)
			if err != nil {
				return res, err
			}
			var add []Entry
			var already []string
			pending := make(map[string]int)
			for _, ev := range groups[k] {
				lock, rev := st.lock, ev.Effective
				if s := ev.Snapshot; s != nil {
					if !st.based {
						lock = commission.Lock{Known: s.Known, PlanID: s.PlanID, PlanVersion: s.PlanVersion}
					}
					if ev.Kind == commission.KindCommission {
						rev = s.OrderVersion
					}
				}
				own := *ev // the caller's events stay the caller's
				e := eventEntry(&own, at, rev, lock)
				p := st.ids.find(e.ID)
				if j, dup := pending[e.ID]; p == nil && dup {
					p = &add[j]
				}
				if p != nil {
					if err := sameEntry(p, &e); err != nil {
						return res, err
					}
					already = append(already, e.ID)
					continue
				}
				pending[e.ID] = len(add)
				add = append(add, e)
			}
			if len(add) > 0 {
				err = l.store.Append(ctx, stream, st.version, add)
				if errors.Is(err, ErrVersionConflict) {
					continue
				}
				if err != nil {
					return res, err
				}
			}
			res.Entries = append(res.Entries, add...)
			res.AlreadyPosted = append(res.AlreadyPosted, already...)
			done = true
		}
		if !done {
			return res, fmt.Errorf("%w: order %s after %d attempts", ErrContention, k, l.attempts)
		}
	}
	return res, nil
}

var eventFields = []string{"id", "order", "line_id", "component", "beneficiary", "rule", "kind", "level",
	"paid_level", "basis", "rate", "amount", "currency", "effective", "corrects", "calc_snapshot"}

// sameEntry returns a *ConflictError naming the first field in which given
// differs from posted, or nil when both record the same thing. Bookkeeping
// (stream, posting instant, revision, lock) is not content.
func sameEntry(posted, given *Entry) error {
	conflict := func(field, a, b string) error {
		return &ConflictError{ID: given.ID, Field: field, Posted: clip(a), Given: clip(b)}
	}
	if posted.Type != given.Type {
		return conflict("type", posted.Type.String(), given.Type.String())
	}
	if (posted.Event == nil) != (given.Event == nil) {
		return conflict("event", fmt.Sprint(posted.Event != nil), fmt.Sprint(given.Event != nil))
	}
	if posted.Event != nil {
		return diffJSON(given.ID, posted.Event.AppendJSON(nil), given.Event.AppendJSON(nil), eventFields)
	}
	switch {
	case posted.Member != given.Member:
		return conflict("member", posted.Member, given.Member)
	case posted.Currency != given.Currency:
		return conflict("currency", posted.Currency, given.Currency)
	case !posted.Amount.Equal(given.Amount):
		return conflict("amount", posted.Amount.String(), given.Amount.String())
	case !posted.Effective.Equal(given.Effective):
		return conflict("effective", posted.Effective.Format(time.RFC3339Nano), given.Effective.Format(time.RFC3339Nano))
	case posted.Order != given.Order:
		return conflict("order", posted.Order.String(), given.Order.String())
	case posted.Run != given.Run:
		return conflict("run", posted.Run, given.Run)
	case !posted.Withheld.Equal(given.Withheld):
		return conflict("withheld", posted.Withheld.String(), given.Withheld.String())
	case posted.Reason != given.Reason:
		return conflict("reason", posted.Reason, given.Reason)
	}
	return nil
}

// diffJSON compares two JSON objects field by field, in the order fields
// lists, then any other field in sorted order.
func diffJSON(id string, a, b []byte, fields []string) error {
	var ma, mb map[string]json.RawMessage
	if err := json.Unmarshal(a, &ma); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &mb); err != nil {
		return err
	}
	seen := make(map[string]bool, len(fields))
	check := func(k string) error {
		seen[k] = true
		if !bytes.Equal(ma[k], mb[k]) {
			return &ConflictError{ID: id, Field: k, Posted: clip(string(ma[k])), Given: clip(string(mb[k]))}
		}
		return nil
	}
	for _, k := range fields {
		if err := check(k); err != nil {
			return err
		}
	}
	for _, m := range []map[string]json.RawMessage{ma, mb} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !seen[k] {
				if err := check(k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func clip(s string) string {
	const max = 160
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// Order returns an order as the ledger knows it and calculates it: its
// newest body with every refund recorded for it applied, and OrderTS the
// instant the genealogy is read at (its first body's, or for a replacement
// the original's). ok is false for an order without a body posted.
func (l *Ledger) Order(ctx context.Context, k normalize.Key) (o normalize.Order, ok bool, err error) {
	st, err := l.readState(ctx, k)
	if err != nil || st.body == nil {
		return normalize.Order{}, false, err
	}
	if o, err = merge(st.body, st.refunds); err != nil {
		return normalize.Order{}, false, err
	}
	o.OrderTS = st.placed
	return o, true, nil
}
