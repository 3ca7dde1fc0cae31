package commission

import (
	"time"

	"github.com/uplinehq/upline/internal/firstseen"
	"github.com/uplinehq/upline/normalize"
)

// Corrections returns what must be posted for an order so that, per slot,
// what was posted plus the corrections equals what is desired now. posted
// are the events already posted for the order (commissions and
// corrections); desired are the events of its latest revision's
// Calculation; revision is that revision's Version.
//
// Per slot, the difference desired − posted decides: zero gives nothing (a
// duplicate delivery posts nothing); a slot never posted gives its desired
// commission event itself; otherwise one correction in the slot, pointing at
// the slot's original event, effective at revision, whose amount is the
// difference. Its id is a ULID with revision's time and entropy from the slot
// and revision, so recomputing gives the same id. Because the difference is
// exact, a refund claws back exactly what was paid on what it took back,
// repeated refunds never claw back more than was paid, and after a full
// refund or a cancellation every slot sums to zero.
//
// Stale revisions: Corrections returns nothing for a revision older than
// one posted records — the revision a posted commission was calculated
// for (its calc_snapshot's order_version) or the instant of a posted
// correction. It cannot see a newer revision that changed nothing, because
// such a revision posts no event: a caller must track the newest revision
// it posted for each order and never pass an older one (the ledger keeps a
// revision record per post for this), or call Revise, which takes that
// instant and says when a revision is stale.
//
// Corrections is pure; output follows desired's order, then slots only
// posted, in the order they were first posted.
func Corrections(posted, desired []Event, revision time.Time) []Event {
	revision = revision.UTC()
	if revision.Before(newestRecorded(posted)) {
		return nil
	}
	return corrections(posted, desired, revision)
}

// Revise is Corrections with the order's newest posted revision made
// explicit, the safe form for callers that do not check staleness
// themselves. newest is the Version of the newest revision already posted
// for the order — counting revisions that changed nothing and so posted no
// event — or the zero time for an order never posted. A revision before
// newest, or before a revision posted records (see Corrections), is stale:
// Revise returns an *Error wrapping ErrStale and nothing must be posted. A
// revision equal to newest is the same revision again: Revise returns what
// differs, nothing for a duplicate; anything else means the same revision
// now calculates differently, which the caller should refuse.
func Revise(posted, desired []Event, revision, newest time.Time) ([]Event, error) {
	revision = revision.UTC()
	if n := newestRecorded(posted); n.After(newest) {
		newest = n
	}
	if revision.Before(newest) {
		var key Slot
		switch {
		case len(desired) > 0:
			key = desired[0].Slot()
		case len(posted) > 0:
			key = posted[0].Slot()
		}
		return nil, &Error{Order: key.Order, Why: "revision " + revision.Format(time.RFC3339Nano) +
			" is older than revision " + newest.UTC().Format(time.RFC3339Nano) + ", already posted", Err: ErrStale}
	}
	return corrections(posted, desired, revision), nil
}

// newestRecorded returns the newest revision the posted events record:
// the revision each commission was calculated for and the instant of each
// correction.
func newestRecorded(posted []Event) time.Time {
	var n time.Time
	for i := range posted {
		e := &posted[i]
		t := e.Effective
		if e.Kind != KindCorrection {
			if e.Snapshot == nil {
				continue
			}
			t = e.Snapshot.OrderVersion
		}
		if t.After(n) {
			n = t
		}
	}
	return n
}

func corrections(posted, desired []Event, revision time.Time) []Event {
	if len(posted) == 0 {
		// An order's first post: every slot is new, and pays what it
		// desires (the engine never pays one slot twice).
		out := make([]Event, 0, len(desired))
		for i := range desired {
			if desired[i].amount != 0 {
				out = append(out, desired[i])
			}
		}
		return out
	}
	out := make([]Event, 0, len(desired))
	for _, s := range diffSlots[slotKey](posted, desired) {
		if s.original < 0 {
			out = append(out, desired[s.desired])
			continue
		}
		orig := &posted[s.original]
		var c Event
		if s.desired >= 0 {
			c = desired[s.desired]
		} else {
			c = *orig
			c.setBasis(fixed{})
			if len(desired) > 0 {
				c.Snapshot = desired[0].Snapshot
			}
		}
		k := c.Slot()
		c.Kind = KindCorrection
		c.amount = s.diff
		c.uncapped = 0
		c.Effective = revision
		c.Corrects = orig.ID
		c.ID, _ = slotID(revision, &k, revision.UnixNano(), true)
		out = append(out, c)
	}
	return out
}

// slotted is what corrections read of a posted or desired record, an
// order's Event or a period's Award: its slot, amount and kind.
type slotted[S comparable, T any] interface {
	*T
	// slotKey is the record's slot laid out to be compared fast.
	slotKey() S
	AmountMinor() int64
	kindOf() Kind
}

func (e *Event) kindOf() Kind { return e.Kind }
func (a *Award) kindOf() Kind { return a.Kind }

// slotDiff is a slot whose posted amounts do not sum to what is desired:
// diff is what to post, desired and original index the desired record
// and the slot's first posted one (a commission when there is one), -1
// for none.
type slotDiff struct {
	desired, original int
	diff              int64
}

// diffSlots returns the slots whose posted amounts differ from the
// desired ones, in the order first seen, desired records first. One index
// per slot and the slots' states in one slice: an order of 10,000 lines
// has some 40,000 slots.
func diffSlots[S comparable, T any, PT slotted[S, T]](posted, desired []T) []slotDiff {
	type slotState struct {
		total             int64
		original, desired int
	}
	// One number per slot and the slots' states in one slice, in the
	// order first seen: an order of 10,000 lines has some 40,000 slots,
	// most a few dozen.
	var index firstseen.Index[S]
	index.Grow(len(desired) + len(posted))
	slots := make([]slotState, 0, len(desired)+len(posted))
	for i := range desired {
		if _, added := index.Add(PT(&desired[i]).slotKey()); added {
			slots = append(slots, slotState{original: -1, desired: i})
		}
	}
	for i := range posted {
		p := PT(&posted[i])
		j, added := index.Add(p.slotKey())
		if added {
			slots = append(slots, slotState{original: -1, desired: -1})
		}
		s := &slots[j]
		if s.original < 0 || (p.kindOf() == KindCommission && PT(&posted[s.original]).kindOf() != KindCommission) {
			s.original = i
		}
		s.total += p.AmountMinor()
	}
	var out []slotDiff
	if len(posted) == 0 {
		out = make([]slotDiff, 0, len(slots)) // a first close or post: every slot differs
	}
	for _, s := range slots {
		var want int64
		if s.desired >= 0 {
			want = PT(&desired[s.desired]).AmountMinor()
		}
		if diff := want - s.total; diff != 0 {
			out = append(out, slotDiff{desired: s.desired, original: s.original, diff: diff})
		}
	}
	return out
}

// LockFrom returns the lock recorded in an order's posted events, so later
// revisions are calculated against the same genealogy knowledge and plan
// version as the first. ok is false when no posted event records one.
func LockFrom(posted []Event) (Lock, bool) {
	for i := range posted {
		if s := posted[i].Snapshot; s != nil && s.PlanID != "" {
			return Lock{Known: s.Known, PlanID: s.PlanID, PlanVersion: s.PlanVersion}, true
		}
	}
	return Lock{}, false
}

// slotKey is a Slot laid out to be compared: the slots of one order share
// their order, and mostly differ in rule, beneficiary and level, compared
// first.
type slotKey struct {
	rule, beneficiary string
	level             int
	line, component   string
	order             normalize.Key
}

func (e *Event) slotKey() slotKey {
	return slotKey{e.Rule, e.Beneficiary, e.Level, e.LineID, e.Component, e.Order}
}
