package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// Calculator calculates an order revision's desired commission events.
// *commission.Engine is one.
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
// keeps no state of its own and is safe for concurrent use; any number of
// Ledgers (in any number of processes) may share one Store.
type Ledger struct {
	store    Store
	calc     Calculator
	attempts int
}

// New returns a ledger over store that calculates orders with calc (which
// may be nil when the ledger is used without Post and Reconcile).
func New(store Store, calc Calculator, opts ...Options) *Ledger {
	l := &Ledger{store: store, calc: calc, attempts: DefaultAttempts}
	for _, o := range opts {
		if o.Attempts > 0 {
			l.attempts = o.Attempts
		}
	}
	return l
}

// Store returns the ledger's store.
func (l *Ledger) Store() Store { return l.store }

// Outcome is what posting an order revision did.
type Outcome uint8

const (
	// Posted: the delivery changed what the ledger knows of the order (a
	// newer revision, or a refund not recorded yet); its corrections, if
	// any, and a revision record were appended.
	Posted Outcome = iota + 1
	// Duplicate: this revision was posted already; nothing was appended.
	Duplicate
	// Stale: a newer revision was posted already and the delivery brings
	// no refund the ledger does not know, or the order was replaced by
	// another; nothing was appended.
	Stale
)

var outcomeNames = [...]string{"", "posted", "duplicate", "stale"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && o != 0 {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Result reports what Post did with one order revision.
type Result struct {
	Order   normalize.Key
	Outcome Outcome
	// Revision is the ledger's revision instant the entries appended
	// record (see the package documentation): the merged order's Version,
	// or one nanosecond after the order's previous revision instant when
	// that is not later. For a delivery that appended nothing it is the
	// delivery's own Version.
	Revision time.Time
	// Newest is the Version of the newest revision posted before this one
	// (zero for an order never posted).
	Newest time.Time
	// Lock is the order's lock: the one recorded with its first post (for
	// a replacement, the lock of the order it replaces).
	Lock commission.Lock
	// Replaced is the order a replacement (normalize.Order.ReplacesOrderID)
	// brought to zero in this post; zero when there was none, or when a
	// post before this one did it.
	Replaced normalize.Key
	// ReplacedBy is, for a Stale delivery of a replaced order, the stream
	// of the order that replaced it.
	ReplacedBy string
	// Calculation is the merged order's calculation, whose breakage and
	// cap explain the events (nil when Post calculated nothing: Stale).
	Calculation *commission.Calculation
	// Entries are the entries appended, with Stream and Seq set: the
	// original's (when Replaced is set), then the order's.
	Entries []Entry
	// Attempts counts the tries: more than 1 when other writers appended
	// to the order first.
	Attempts int
}

// Post posts one revision of an order, or one delivery of a refund applied
// to it (normalize.Order.ApplyRefund): it reads what is posted for the
// order, merges the delivery with the newest revision the ledger recorded
// (refunds with lines are carried forward both ways), calculates the merged
// order with the lock recorded at the order's first post (or, for a first
// post, with the genealogy as known at at) and appends only the corrections
// and a revision record. at is the posting instant, recorded on every
// entry.
//
// A delivery older than the newest revision that brings no new refund is
// Stale, and the newest revision again is a Duplicate; neither appends
// anything. A revision already posted that now calculates differently (the
// platform sent two different bodies with one updated-at) is refused with a
// *ConflictError. An order that cannot be calculated, or whose recorded
// refunds take back more than a newer body sold, is refused with a
// *HeldError and nothing of it is posted. A replacement order
// (ReplacesOrderID) first brings the order it replaces to zero. When
// another writer appends to the order first, Post reads again and decides
// again. The package documentation states the rules exactly.
func (l *Ledger) Post(ctx context.Context, o *normalize.Order, at time.Time) (Result, error) {
	if l.calc == nil {
		return Result{}, fmt.Errorf("%w: the ledger has no calculator", ErrInvalid)
	}
	res := Result{Order: o.Key(), Revision: o.Version.UTC()}
	for res.Attempts < l.attempts {
		res.Attempts++
		done, err := l.postOnce(ctx, o, at.UTC(), &res)
		if err != nil || done {
			return res, err
		}
	}
	return res, fmt.Errorf("%w: order %s after %d attempts", ErrContention, res.Order, res.Attempts)
}

// postOnce makes one attempt at Post; done is false when another writer
// appended first and Post must read again.
func (l *Ledger) postOnce(ctx context.Context, o *normalize.Order, at time.Time, res *Result) (done bool, err error) {
	key := o.Key()
	stream := OrderStream(key)
	st, err := l.readStream(ctx, stream)
	if err != nil {
		return true, err
	}
	res.Newest, res.Lock = st.newestVersion(), st.lock
	if st.replacedBy != "" {
		res.Outcome, res.ReplacedBy = Stale, st.replacedBy
		return true, nil
	}

	m, err := merge(o, st.newest)
	if err != nil {
		return true, &HeldError{Order: key, Revision: o.Version.UTC(), Err: err}
	}
	n := st.newestVersion()
	if st.seen && o.Version.Before(n) && !m.newRefunds {
		res.Outcome = Stale
		return true, nil
	}

	lock, placed, orig, err := l.basis(ctx, o, &st, at)
	if err != nil {
		return true, err
	}
	calcOrder := m.order
	if !placed.IsZero() {
		calcOrder.OrderTS = placed
	}

	calc, err := l.calc.Calculate(&calcOrder, lock)
	if err != nil {
		return true, &HeldError{Order: key, Revision: calcOrder.Version.UTC(), Err: err}
	}
	res.Lock, res.Calculation = calc.Lock, calc
	rev := nextRevision(st.last, calcOrder.Version)
	corr := commission.Corrections(st.events, calc.Events, rev)
	if st.seen && o.Version.Equal(n) && !m.newRefunds {
		if len(corr) == 0 {
			res.Outcome = Duplicate
			return true, nil
		}
		c := &corr[0]
		return true, &ConflictError{ID: o.Version.UTC().Format(time.RFC3339Nano), Field: "revision",
			Posted: "as posted", Given: fmt.Sprintf("%s %s %s for %s in rule %s", c.Kind, c.Amount(), c.Currency, c.Beneficiary, c.Rule)}
	}
	add, err := correctionEntries(&st, corr, at, rev, calc.Lock)
	if err != nil {
		return true, err
	}
	rec, err := revisionEntry(stream, &calcOrder, at, rev, calc.Lock)
	if err != nil {
		return true, err
	}
	add = append(add, rec)
	if orig != nil && orig.replacedBy == "" {
		// Bring the original to zero and mark it replaced first: should
		// the process stop before the replacement is appended, the next
		// delivery finds the original marked and posts the replacement.
		zeroed, err := l.zeroOriginal(ctx, orig, stream, rev, at)
		if errors.Is(err, ErrVersionConflict) {
			return false, nil
		}
		if err != nil {
			return true, err
		}
		res.Replaced = orig.key
		res.Entries = append(res.Entries, zeroed...)
	}
	err = l.append(ctx, stream, st.version, add)
	if errors.Is(err, ErrVersionConflict) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	res.Outcome, res.Revision = Posted, rev
	res.Entries = append(res.Entries, add...)
	return true, nil
}

func eventEntry(ev *commission.Event, at, rev time.Time, lock commission.Lock) Entry {
	t := TypeCommission
	if ev.Kind == commission.KindCorrection {
		t = TypeCorrection
	}
	e := *ev
	return Entry{ID: ev.ID.String(), Type: t, Member: ev.Beneficiary, Currency: ev.Currency, Amount: ev.Amount(),
		Effective: ev.Effective.UTC(), Posted: at.UTC(), Order: ev.Order, Revision: rev, Lock: lock, Rule: ev.Rule, Event: &e}
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
			st, err := l.readStream(ctx, stream)
			if err != nil {
				return res, err
			}
			var add []Entry
			var already []string
			pending := make(map[string]int)
			for _, ev := range groups[k] {
				lock, rev := st.lock, ev.Effective
				if s := ev.Snapshot; s != nil {
					if !st.seen {
						lock = commission.Lock{Known: s.Known, PlanID: s.PlanID, PlanVersion: s.PlanVersion}
					}
					if ev.Kind == commission.KindCommission {
						rev = s.OrderVersion
					}
				}
				e := eventEntry(ev, at, rev, lock)
				p, ok := st.byID[e.ID]
				if !ok {
					if j, dup := pending[e.ID]; dup {
						p, ok = &add[j], true
					}
				}
				if ok {
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
				err = l.append(ctx, stream, st.version, add)
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
	case posted.Memo != given.Memo:
		return conflict("memo", posted.Memo, given.Memo)
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
