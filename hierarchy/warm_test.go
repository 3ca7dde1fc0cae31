package hierarchy

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestWarm(t *testing.T) {
	g := fixture(t)
	c40 := make([]string, 40)
	for i := range c40 {
		c40[i] = "c"
	}
	tests := []struct {
		name   string
		ids    []string
		levels int
		want   int
	}{
		{"the id alone", []string{"c"}, 0, 1},
		{"one level", []string{"c"}, 1, 2},
		// b moved under root on day 20; Warm follows its enrollment
		// sponsor, a.
		{"along the enrollment chain", []string{"c"}, 2, 3},
		{"to the root", []string{"c"}, 3, 4},
		{"past the root", []string{"c"}, 10, 4},
		{"several ids, unknown and empty ones among them", []string{"c", "r", "zed", "", "root"}, 5, 4 + 2 + 1},
		{"no ids", nil, 3, 0},
		{"at most MaxReadahead ids", c40, 10, MaxReadahead * 4},
	}
	for _, tt := range tests {
		if got := g.Warm(tt.ids, tt.levels); got != tt.want {
			t.Errorf("%s: Warm(%q, %d) = %d, want %d", tt.name, tt.ids, tt.levels, got, tt.want)
		}
	}
	var empty Genealogy
	if got := empty.Warm([]string{"c"}, 3); got != 0 {
		t.Errorf("empty genealogy: %d", got)
	}
}

// TestWarmCounts: on random genealogies (with sponsor changes), Warm
// reaches exactly the ids that exist (of the first MaxReadahead) and, for
// each, as many enrollment ancestors as the levels allow (none for levels
// ≤ 0).
func TestWarmCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for seed := range 60 {
		var g Genealogy
		n := 50 + r.IntN(200)
		for i := range n {
			sponsor := ""
			if i > 0 {
				sponsor = "m" + strconv.Itoa(r.IntN(i))
			}
			if err := g.Enroll("m"+strconv.Itoa(i), Distributor, sponsor, day(1), recAt(1)); err != nil {
				t.Fatal(err)
			}
		}
		for range n / 5 {
			m, s := 1+r.IntN(n-1), r.IntN(n)
			_ = g.ChangeSponsor("m"+strconv.Itoa(m), "m"+strconv.Itoa(s), day(2), recAt(2)) // cycles are refused; fine
		}
		var ids []string
		for range 1 + r.IntN(MaxReadahead+8) { // those past MaxReadahead are ignored
			ids = append(ids, "m"+strconv.Itoa(r.IntN(n+n/4))) // some unknown
		}
		levels := r.IntN(14) - 2
		want := 0
		for _, id := range ids[:min(len(ids), MaxReadahead)] {
			m, ok := g.Lookup(id)
			if !ok {
				continue
			}
			want++
			for s, l := g.enrollSponsor(int32(m)), 0; s >= 0 && l < levels; s, l = g.enrollSponsor(s), l+1 {
				want++
			}
		}
		if got := g.Warm(ids, levels); got != want {
			t.Fatalf("seed %d: Warm(%d ids, %d) = %d, want %d", seed, len(ids), levels, got, want)
		}
	}
}

// FuzzWarm: any ids, any levels, no panic, never more than it could reach.
func FuzzWarm(f *testing.F) {
	f.Add("c", "zed", 3)
	f.Add("", "\xff\x00", -1)
	f.Fuzz(func(t *testing.T, a, b string, levels int) {
		g, err := Build(fixtureLog())
		if err != nil {
			t.Fatal(err)
		}
		levels %= 100
		if got := g.Warm([]string{a, b, a}, levels); got < 0 || got > 3*(max(levels, 0)+1) {
			t.Fatalf("Warm = %d", got)
		}
	})
}

// TestReadaheadTagMatchOfAnotherString: where the tag in an id's first
// slot belongs to another string (one probe in 2^32; forced here by
// rewriting the table), the read-ahead looks the id up again and reaches
// what it should.
func TestReadaheadTagMatchOfAnotherString(t *testing.T) {
	var g Genealogy
	for i := range 40 {
		sponsor := ""
		if i > 0 {
			sponsor = "m" + strconv.Itoa(i-1)
		}
		if err := g.Enroll("m"+strconv.Itoa(i), Distributor, sponsor, day(1), recAt(1)); err != nil {
			t.Fatal(err)
		}
	}
	tab := &g.ids
	mask := uint64(len(tab.slots) - 1)
	h := hashString("m30")
	p := h & mask
	for tab.slots[p] != 0 && int32(uint32(tab.slots[p]))-1 != 30 {
		p = (p + 1) & mask
	}
	q := (p + 1) & mask
	for tab.slots[q] != 0 {
		q = (q + 1) & mask
	}
	// m30's slot moves one further along its probe sequence; where it was,
	// a slot with m30's tag now names m1.
	tab.slots[q], tab.slots[p] = tab.slots[p], tagOf(h)|uint64(1+1)
	if e, ok := tab.find("m30"); !ok || e != 30 {
		t.Fatalf("the rewritten table finds m30 at %d, %v", e, ok)
	}
	if got := g.Warm([]string{"m30"}, 3); got != 4 {
		t.Errorf("Warm(m30, 3) = %d, want 4 (m30, m29, m28, m27)", got)
	}
	if got := g.Warm([]string{"m30", "m2"}, 5); got != 6+3 {
		t.Errorf("Warm(m30 m2, 5) = %d, want 9", got)
	}
}

// TestReadaheadAllocs: reading ahead allocates nothing.
func TestReadaheadAllocs(t *testing.T) {
	g := fixture(t)
	ids := []string{"c", "r", "a", "b", "zed"}
	n := testing.AllocsPerRun(100, func() {
		var r Readahead
		r.Start(g, ids, 5)
		for r.Step() {
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
