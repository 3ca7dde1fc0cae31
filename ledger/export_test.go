package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uplinehq/upline/normalize"
)

// KeptState returns what the state l keeps of order k says, and what the
// state read fresh from the stream's first entries, as many as the kept
// state folded, says; ok is false when l keeps no state of k.
func KeptState(ctx context.Context, l *Ledger, k normalize.Key) (kept, fresh string, ok bool, err error) {
	stream := OrderStream(k)
	l.states.mu.Lock()
	s := l.states.states[stream]
	l.states.mu.Unlock()
	if s == nil {
		return "", "", false, nil
	}
	entries, version, err := l.store.Stream(ctx, stream)
	if err != nil {
		return "", "", false, err
	}
	if s.version > version {
		return "", "", false, fmt.Errorf("kept state at version %d of a stream at %d", s.version, version)
	}
	f := readOrder(k, stream, entries[:s.version], s.version)
	return s.describe(), f.describe(), true, nil
}

// describe writes out everything s says, in an order that does not
// depend on how it was folded.
func (s *orderState) describe() string {
	var b strings.Builder
	t := func(x time.Time) string { return x.Format(time.RFC3339Nano) }
	fmt.Fprintf(&b, "key %v stream %s version %d based %v lock %+v placed %s last %s currency %q replaced by %v\n",
		s.key, s.stream, s.version, s.based, s.lock, t(s.placed), t(s.last), s.currency, s.replacedBy)
	if s.frozen != nil {
		fmt.Fprintf(&b, "frozen %s: %s\n", s.frozen.ID, s.frozen.Reason)
	}
	if s.body != nil {
		j, err := s.body.MarshalJSON()
		fmt.Fprintf(&b, "body %s %v\n", j, err)
	}
	for _, r := range s.refunds {
		fmt.Fprintf(&b, "refund %+v\n", r)
	}
	for i := range s.events {
		e := &s.events[i]
		u, capped := e.Uncapped()
		fmt.Fprintf(&b, "slot %s amount %d uncapped %s %v\n", e.AppendJSON(nil), e.AmountMinor(), u, capped)
	}
	if s.slots.Len() != len(s.events) {
		fmt.Fprintf(&b, "%d slots indexed for %d events\n", s.slots.Len(), len(s.events))
	}
	for i, k := range s.vols.keys() {
		fmt.Fprintf(&b, "volume %+v %+v\n", k, s.vols.sums[i])
	}
	s.ids.hash()
	var ids []string
	seen := make(map[string]bool)
	for _, table := range [][]idSlot{s.ids.cur, s.ids.old[min(s.ids.moved, len(s.ids.old)):]} {
		for _, x := range table {
			if x.hash == 0 || seen[x.id] {
				continue
			}
			seen[x.id] = true
			ev := ""
			if x.ev != nil {
				ev = string(x.ev.AppendJSON(nil))
			}
			got := s.ids.find(x.id)
			ids = append(ids, fmt.Sprintf("id %s %s %s found %v", x.id, x.typ, ev, got != nil && got.ID == x.id && got.Type == x.typ && got.Event == x.ev))
		}
	}
	slices.Sort(ids)
	if len(ids) != s.ids.n {
		fmt.Fprintf(&b, "%d ids listed, %d counted\n", len(ids), s.ids.n)
	}
	b.WriteString(strings.Join(ids, "\n"))
	return b.String()
}
