// Package hierarchytest is the conformance suite every hierarchy.Store
// must pass:
//
//	func TestStore(t *testing.T) {
//		hierarchytest.Run(t, func() hierarchy.Store { return newMyStore(t) })
//	}
package hierarchytest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uplinehq/upline/hierarchy"
)

// Run checks that stores made by newStore keep a change log: empty at
// first, every change back in the order appended, Load returning a copy,
// concurrent appends all kept, and the log rebuilding the same genealogy.
// A hierarchy.Streamer must also stream what Load returns and stop at its
// callback's first error.
func Run(t *testing.T, newStore func() hierarchy.Store) {
	t.Helper()
	at := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	log := []hierarchy.Change{
		{Op: hierarchy.OpEnroll, Member: "a", Kind: hierarchy.Distributor, Effective: at(1), Recorded: at(1)},
		{Op: hierarchy.OpEnroll, Member: "b", Kind: hierarchy.Distributor, Sponsor: "a", Parent: "a", Leg: hierarchy.Left, Effective: at(2), Recorded: at(2)},
		{Op: hierarchy.OpRank, Member: "b", PaidAs: 1, Highest: 2, Effective: at(3), Recorded: at(3)},
		{Op: hierarchy.OpCode, Member: "b", Code: "B-1", Effective: at(2), Recorded: at(4)},
	}
	same := func(t *testing.T, got, want []hierarchy.Change) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("Load returned %d changes, want %d", len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if !g.Effective.Equal(w.Effective) || !g.Recorded.Equal(w.Recorded) {
				t.Fatalf("change %d: instants %v/%v, want %v/%v", i, g.Effective, g.Recorded, w.Effective, w.Recorded)
			}
			g.Effective, g.Recorded, w.Effective, w.Recorded = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if g != w {
				t.Fatalf("change %d: %+v, want %+v", i, g, w)
			}
		}
	}
	t.Run("empty", func(t *testing.T) {
		got, err := newStore().Load()
		if err != nil || len(got) != 0 {
			t.Fatalf("Load of a new store = %v, %v; want nothing", got, err)
		}
	})
	t.Run("order", func(t *testing.T) {
		s := newStore()
		if err := s.Append(log[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.Append(log[1:]...); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load()
		if err != nil {
			t.Fatal(err)
		}
		same(t, got, log)
	})
	t.Run("load returns a copy", func(t *testing.T) {
		s := newStore()
		if err := s.Append(log...); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Load()
		got[0].Member = "changed"
		again, _ := s.Load()
		same(t, again, log)
	})
	t.Run("concurrent appends", func(t *testing.T) {
		s := newStore()
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 25 {
					_ = s.Append(hierarchy.Change{Op: hierarchy.OpStatus, Member: string(rune('a' + i)), Status: hierarchy.Active, Effective: at(1), Recorded: at(1)})
				}
			}()
		}
		wg.Wait()
		got, err := s.Load()
		if err != nil || len(got) != 200 {
			t.Fatalf("Load after 200 concurrent appends: %d changes, %v", len(got), err)
		}
	})
	t.Run("stream", func(t *testing.T) {
		s, ok := newStore().(hierarchy.Streamer)
		if !ok {
			t.Skip("not a hierarchy.Streamer")
		}
		var got []hierarchy.Change
		collect := func(c hierarchy.Change) error { got = append(got, c); return nil }
		if err := s.Stream(collect); err != nil || len(got) != 0 {
			t.Fatalf("Stream of a new store: %v, %v; want nothing", got, err)
		}
		if err := s.Append(log...); err != nil {
			t.Fatal(err)
		}
		if err := s.Stream(collect); err != nil {
			t.Fatal(err)
		}
		same(t, got, log)
		stop := errors.New("stop")
		n := 0
		err := s.Stream(func(hierarchy.Change) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("Stream after its callback failed: %v after %d calls; want the callback's error after 1", err, n)
		}
	})
	t.Run("rebuild", func(t *testing.T) {
		s := newStore()
		var g hierarchy.Genealogy
		for _, c := range log {
			if err := g.Record(s, c); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.Record(s, hierarchy.Change{Op: hierarchy.OpSponsor, Member: "a", Sponsor: "b", Effective: at(5), Recorded: at(5)}); err == nil {
			t.Fatal("a cycle was recorded")
		}
		h, err := hierarchy.Open(s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := h.Lookup("b")
		r, err := h.Snapshot(at(9)).Ranks(b)
		if err != nil || r != (hierarchy.Ranks{PaidAs: 1, Highest: 2}) || h.Changes() != len(log) {
			t.Fatalf("rebuilt genealogy: ranks %+v, %v, %d changes", r, err, h.Changes())
		}
	})
}
