package tree_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/tree"
)

func day(n int) time.Time   { return time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
func recAt(n int) time.Time { return time.Date(2024, 3, 1, n, 0, 0, 0, time.UTC) }

// fixtureLog is hierarchy's test fixture: root ── a ── b ── c, r a retail
// customer of root; b moves under root from day 20.
func fixtureLog() []hierarchy.Change {
	return []hierarchy.Change{
		{Op: hierarchy.OpEnroll, Member: "root", Kind: hierarchy.Distributor, Effective: day(0), Recorded: recAt(1)},
		{Op: hierarchy.OpEnroll, Member: "a", Kind: hierarchy.Distributor, Sponsor: "root", Effective: day(1), Recorded: recAt(2)},
		{Op: hierarchy.OpEnroll, Member: "r", Kind: hierarchy.Retail, Sponsor: "root", Effective: day(1), Recorded: recAt(3)},
		{Op: hierarchy.OpEnroll, Member: "b", Kind: hierarchy.Distributor, Sponsor: "a", Effective: day(2), Recorded: recAt(4)},
		{Op: hierarchy.OpEnroll, Member: "c", Kind: hierarchy.Distributor, Sponsor: "b", Effective: day(3), Recorded: recAt(5)},
		{Op: hierarchy.OpSponsor, Member: "b", Sponsor: "root", Effective: day(20), Recorded: recAt(10)},
	}
}

func fixture(t *testing.T) *tree.Genealogy {
	t.Helper()
	g, err := hierarchy.Build(fixtureLog())
	if err != nil {
		t.Fatal(err)
	}
	return (*tree.Genealogy)(g)
}

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
		{"at most tree.MaxReadahead ids", c40, 10, tree.MaxReadahead * 4},
	}
	for _, tt := range tests {
		if got := tree.Warm(g, tt.ids, tt.levels); got != tt.want {
			t.Errorf("%s: Warm(%q, %d) = %d, want %d", tt.name, tt.ids, tt.levels, got, tt.want)
		}
	}
	var empty tree.Genealogy
	if got := tree.Warm(&empty, []string{"c"}, 3); got != 0 {
		t.Errorf("empty genealogy: %d", got)
	}
}

// TestWarmCounts: on random genealogies (with sponsor changes), Warm
// reaches exactly the ids that exist (of the first tree.MaxReadahead) and, for
// each, as many enrollment ancestors as the levels allow (none for levels
// ≤ 0).
func TestWarmCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for seed := range 60 {
		var g hierarchy.Genealogy
		n := 50 + r.IntN(200)
		for i := range n {
			sponsor := ""
			if i > 0 {
				sponsor = "m" + strconv.Itoa(r.IntN(i))
			}
			if err := g.Enroll("m"+strconv.Itoa(i), hierarchy.Distributor, sponsor, day(1), recAt(1)); err != nil {
				t.Fatal(err)
			}
		}
		for range n / 5 {
			m, s := 1+r.IntN(n-1), r.IntN(n)
			_ = g.ChangeSponsor("m"+strconv.Itoa(m), "m"+strconv.Itoa(s), day(2), recAt(2)) // cycles are refused; fine
		}
		var ids []string
		for range 1 + r.IntN(tree.MaxReadahead+8) { // those past tree.MaxReadahead are ignored
			ids = append(ids, "m"+strconv.Itoa(r.IntN(n+n/4))) // some unknown
		}
		levels := r.IntN(14) - 2
		want := 0
		for _, id := range ids[:min(len(ids), tree.MaxReadahead)] {
			m, ok := g.Lookup(id)
			if !ok {
				continue
			}
			want++
			tg := (*tree.Genealogy)(&g)
			for s, l := tg.EnrollSponsor(int32(m)), 0; s >= 0 && l < levels; s, l = tg.EnrollSponsor(s), l+1 {
				want++
			}
		}
		if got := tree.Warm((*tree.Genealogy)(&g), ids, levels); got != want {
			t.Fatalf("seed %d: Warm(%d ids, %d) = %d, want %d", seed, len(ids), levels, got, want)
		}
	}
}

// FuzzWarm: any ids, any levels, no panic, never more than it could reach.
func FuzzWarm(f *testing.F) {
	f.Add("c", "zed", 3)
	f.Add("", "\xff\x00", -1)
	f.Fuzz(func(t *testing.T, a, b string, levels int) {
		g, err := hierarchy.Build(fixtureLog())
		if err != nil {
			t.Fatal(err)
		}
		levels %= 100
		if got := tree.Warm((*tree.Genealogy)(g), []string{a, b, a}, levels); got < 0 || got > 3*(max(levels, 0)+1) {
			t.Fatalf("Warm = %d", got)
		}
	})
}

// TestReadaheadAllocs: reading ahead allocates nothing.
func TestReadaheadAllocs(t *testing.T) {
	g := fixture(t)
	ids := []string{"c", "r", "a", "b", "zed"}
	n := testing.AllocsPerRun(100, func() {
		var r tree.Readahead
		r.Start(g, ids, 5)
		for r.Step() {
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
