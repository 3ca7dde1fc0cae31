package commission

import "time"

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
// A revision older than a correction already posted is stale: a newer
// revision has decided, and Corrections returns nothing.
//
// Corrections is pure; output follows desired's order, then slots only
// posted, in the order they were first posted.
func Corrections(posted, desired []Event, revision time.Time) []Event {
	revision = revision.UTC()
	for i := range posted {
		if posted[i].Kind == KindCorrection && posted[i].Effective.After(revision) {
			return nil
		}
	}
	type slotState struct {
		total    int64
		original int // index into posted of the slot's first event
		desired  int // index into desired, or -1
	}
	state := make(map[Slot]*slotState, len(posted)+len(desired))
	var order []Slot
	for i := range desired {
		k := desired[i].Slot()
		s, ok := state[k]
		if !ok {
			s = &slotState{original: -1, desired: i}
			state[k] = s
			order = append(order, k)
		}
	}
	for i := range posted {
		k := posted[i].Slot()
		s, ok := state[k]
		if !ok {
			s = &slotState{original: -1, desired: -1}
			state[k] = s
			order = append(order, k)
		}
		if s.original < 0 || (posted[i].Kind == KindCommission && posted[s.original].Kind != KindCommission) {
			s.original = i
		}
		s.total += posted[i].amount
	}
	var out []Event
	for _, k := range order {
		s := state[k]
		var want int64
		if s.desired >= 0 {
			want = desired[s.desired].amount
		}
		diff := want - s.total
		if diff == 0 {
			continue
		}
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
			c.basis = fixed{}
			if len(desired) > 0 {
				c.Snapshot = desired[0].Snapshot
			}
		}
		c.Kind = KindCorrection
		c.amount = diff
		c.Effective = revision
		c.Corrects = orig.ID
		c.ID, _ = slotID(revision, &k, revision.UnixNano(), true)
		out = append(out, c)
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
