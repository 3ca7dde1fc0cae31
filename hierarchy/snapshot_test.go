package hierarchy

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// describe collects every answer a snapshot gives about one member.
func describe(t *testing.T, g *Genealogy, s Snapshot, id string) answer {
	t.Helper()
	m, err := s.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	var a answer
	a.Kind, _ = s.Kind(m)
	sp, _ := s.Sponsor(m)
	a.Sponsor = g.ID(sp)
	par, leg, _ := s.Placement(m)
	a.Parent, a.Leg = g.ID(par), leg
	a.Status, _ = s.Status(m)
	a.Ranks, _ = s.Ranks(m)
	up, _ := s.Upline(m)
	for x, ok := up.Next(); ok; x, ok = up.Next() {
		a.Upline = append(a.Upline, g.ID(x.Member))
	}
	pu, _ := s.PlacementUpline(m)
	for x, ok := pu.Next(); ok; x, ok = pu.Next() {
		a.Placement = append(a.Placement, g.ID(x.Member))
	}
	kids, _ := s.Children(m)
	for _, k := range kids {
		a.Children = append(a.Children, g.ID(k))
	}
	return a
}

func TestSnapshotAnswers(t *testing.T) {
	g := fixture(t)
	tests := []struct {
		name string
		s    Snapshot
		id   string
		want answer
	}{
		{"c before b moves", g.Snapshot(day(5)), "c", answer{Kind: Distributor, Sponsor: "b", Status: Active, Upline: []string{"b", "a", "root"}}},
		{"b before it moves", g.Snapshot(day(19)), "b", answer{Kind: Distributor, Sponsor: "a", Parent: "a", Leg: Right, Status: Active,
			Upline: []string{"a", "root"}, Placement: []string{"a", "root"}, Children: []string{"c"}}},
		{"b after it moves", g.Snapshot(day(20)), "b", answer{Kind: Distributor, Sponsor: "root", Parent: "a", Leg: Right, Status: Active,
			Upline: []string{"root"}, Placement: []string{"a", "root"}, Children: []string{"c"}}},
		{"c after b moves", g.Snapshot(day(25)), "c", answer{Kind: Distributor, Sponsor: "b", Status: Active, Upline: []string{"b", "root"}}},
		{"c after b moves, as known before the move was recorded", g.SnapshotAsOf(day(25), recAt(9)), "c",
			answer{Kind: Distributor, Sponsor: "b", Status: Active, Upline: []string{"b", "a", "root"}}},
		{"a's rank before it takes effect", g.Snapshot(day(9)), "a", answer{Kind: Distributor, Sponsor: "root", Parent: "root", Leg: Left, Status: Active,
			Upline: []string{"root"}, Placement: []string{"root"}, Children: []string{"b"}}},
		{"a's rank once in effect, b gone", g.Snapshot(day(20)), "a", answer{Kind: Distributor, Sponsor: "root", Parent: "root", Leg: Left, Status: Active,
			Ranks: Ranks{PaidAs: 2, Highest: 3}, Upline: []string{"root"}, Placement: []string{"root"}}},
		{"root's children in enrollment order", g.Snapshot(day(20)), "root", answer{Kind: Distributor, Status: Active, Children: []string{"a", "r", "b"}}},
		{"retail customer", g.Snapshot(day(20)), "r", answer{Kind: Retail, Sponsor: "root", Status: Active, Upline: []string{"root"}}},
		// At moves the instant and keeps the knowledge.
		{"At: c after b moves, as known before the move was recorded", g.SnapshotAsOf(day(5), recAt(9)).At(day(25)), "c",
			answer{Kind: Distributor, Sponsor: "b", Status: Active, Upline: []string{"b", "a", "root"}}},
		{"At: c after b moves, known", g.SnapshotAsOf(day(5), recAt(11)).At(day(25)), "c",
			answer{Kind: Distributor, Sponsor: "b", Status: Active, Upline: []string{"b", "root"}}},
		{"At: a's rank, back before it takes effect", g.Snapshot(day(20)).At(day(9)), "a", answer{Kind: Distributor, Sponsor: "root", Parent: "root", Leg: Left, Status: Active,
			Upline: []string{"root"}, Placement: []string{"root"}, Children: []string{"b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, describe(t, g, tt.s, tt.id)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestUplineAncestors(t *testing.T) {
	g := fixture(t)
	s := g.Snapshot(day(12))
	c, _ := g.Lookup("c")
	up, err := s.Upline(c)
	if err != nil {
		t.Fatal(err)
	}
	var got []Ancestor
	for a, ok := up.Next(); ok; a, ok = up.Next() {
		got = append(got, a)
	}
	want := []Ancestor{
		{Member: 3, Level: 1, Status: Active},
		{Member: 1, Level: 2, Status: Active, Ranks: Ranks{PaidAs: 2, Highest: 3}},
		{Member: 0, Level: 3, Status: Active},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sponsor upline (-want +got):\n%s", d)
	}
	b, _ := g.Lookup("b")
	pu, _ := s.PlacementUpline(b)
	got = got[:0]
	for a, ok := pu.Next(); ok; a, ok = pu.Next() {
		got = append(got, a)
	}
	want = []Ancestor{
		{Member: 1, Level: 1, Leg: Right, Status: Active, Ranks: Ranks{PaidAs: 2, Highest: 3}},
		{Member: 0, Level: 2, Leg: Left, Status: Active},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("placement upline (-want +got):\n%s", d)
	}
}

func TestSnapshotAbsentAndCodes(t *testing.T) {
	g := fixture(t)
	c, _ := g.Lookup("c")
	tests := []struct {
		name string
		err  func() error
		kind error
		msg  string
	}{
		{"member enrolled after the instant", func() error { _, err := g.Snapshot(day(2)).Sponsor(c); return err },
			ErrUnknownMember, `hierarchy: unknown member: "c" at 2024-01-03T00:00:00Z: enrolled only at 2024-01-04T00:00:00Z`},
		{"member recorded after the knowledge", func() error { _, err := g.SnapshotAsOf(day(30), recAt(4)).Upline(c); return err },
			ErrUnknownMember, `hierarchy: unknown member: "c" at 2024-01-31T00:00:00Z: enrollment recorded at 2024-03-01T05:00:00Z, after the snapshot's knowledge`},
		{"At: member enrolled after the new instant", func() error { _, err := g.Snapshot(day(30)).At(day(2)).Sponsor(c); return err },
			ErrUnknownMember, `hierarchy: unknown member: "c" at 2024-01-03T00:00:00Z: enrolled only at 2024-01-04T00:00:00Z`},
		{"At: member recorded after the knowledge, at any instant", func() error { _, err := g.SnapshotAsOf(day(2), recAt(4)).At(day(30)).Upline(c); return err },
			ErrUnknownMember, `hierarchy: unknown member: "c" at 2024-01-31T00:00:00Z: enrollment recorded at 2024-03-01T05:00:00Z, after the snapshot's knowledge`},
		{"no such index", func() error { _, err := g.Snapshot(day(30)).Status(42); return err },
			ErrUnknownMember, `hierarchy: unknown member: at 2024-01-31T00:00:00Z: no member 42`},
		{"no such id", func() error { _, err := g.Snapshot(day(30)).Lookup("zed"); return err },
			ErrUnknownMember, `hierarchy: unknown member: "zed" at 2024-01-31T00:00:00Z: not enrolled`},
		{"zero snapshot", func() error { _, err := (Snapshot{}).Children(0); return err },
			ErrUnknownMember, `hierarchy: unknown member: at 1970-01-01T00:00:00Z: no member 0`},
		{"code before it takes effect", func() error { _, err := g.Snapshot(day(0)).Resolve("ALICE"); return err },
			ErrUnknownCode, `hierarchy: unknown code: code "a" -> "ALICE" at 2024-01-01T00:00:00Z: code effective from 2024-01-02T00:00:00Z, recorded at 2024-03-01T07:00:00Z: not in this snapshot`},
		{"code recorded after the knowledge", func() error { _, err := g.SnapshotAsOf(day(5), recAt(6)).Resolve("ALICE"); return err },
			ErrUnknownCode, `hierarchy: unknown code: code "a" -> "ALICE" at 2024-01-06T00:00:00Z: code effective from 2024-01-02T00:00:00Z, recorded at 2024-03-01T07:00:00Z: not in this snapshot`},
		{"no such code", func() error { _, err := g.Snapshot(day(5)).Resolve("BOB"); return err },
			ErrUnknownCode, `hierarchy: unknown code: code -> "BOB" at 2024-01-06T00:00:00Z: no member has this code`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if !errors.Is(err, tt.kind) {
				t.Fatalf("got %v, want %v", err, tt.kind)
			}
			if err.Error() != tt.msg {
				t.Errorf("message\n got %s\nwant %s", err, tt.msg)
			}
		})
	}
	if m, err := g.Snapshot(day(5)).Resolve("ALICE"); err != nil || g.ID(m) != "a" {
		t.Errorf("Resolve(ALICE) = %q, %v; want a", g.ID(m), err)
	}
}

// A snapshot taken before a retroactive correction keeps answering as
// before; recalculating means taking a new snapshot.
func TestSnapshotIgnoresLaterCorrections(t *testing.T) {
	g := fixture(t)
	old := g.Snapshot(day(25))
	if err := g.ChangeSponsor("c", "a", day(4), recAt(12)); err != nil {
		t.Fatal(err)
	}
	if got := describe(t, g, old, "c").Upline; !cmp.Equal(got, []string{"b", "root"}) {
		t.Errorf("old snapshot upline = %v, want [b root]", got)
	}
	if got := describe(t, g, g.Snapshot(day(25)), "c").Upline; !cmp.Equal(got, []string{"a", "root"}) {
		t.Errorf("new snapshot upline = %v, want [a root]", got)
	}
	if got := describe(t, g, g.SnapshotAsOf(day(25), recAt(11)), "c").Upline; !cmp.Equal(got, []string{"b", "root"}) {
		t.Errorf("as-of snapshot upline = %v, want [b root]", got)
	}
}

// A walk started before changes are applied answers as its snapshot,
// including for members whose first sponsor, status or rank change comes
// mid-walk, and a root that later gets a sponsor keeps being a root
// before the change takes effect.
func TestUplineAcrossLaterChanges(t *testing.T) {
	g := fixture(t)
	if err := g.Enroll("top", Distributor, "", day(0), recAt(11)); err != nil {
		t.Fatal(err)
	}
	c, _ := g.Lookup("c")
	old := g.Snapshot(day(25))
	up, _ := old.Upline(c)
	first, _ := up.Next()
	for _, ch := range []Change{
		{Op: OpSponsor, Member: "root", Sponsor: "top", Effective: day(15), Recorded: recAt(12)},
		{Op: OpStatus, Member: "root", Status: Suspended, Effective: day(15), Recorded: recAt(12)},
		{Op: OpRank, Member: "root", PaidAs: 1, Highest: 1, Effective: day(15), Recorded: recAt(12)},
	} {
		if err := g.Apply(ch); err != nil {
			t.Fatal(err)
		}
	}
	got := []Ancestor{first}
	for a, ok := up.Next(); ok; a, ok = up.Next() {
		got = append(got, a)
	}
	want := []Ancestor{{Member: 3, Level: 1, Status: Active}, {Member: 0, Level: 2, Status: Active}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("walk begun before the changes (-want +got):\n%s", d)
	}
	tests := []struct {
		name string
		s    Snapshot
		want []string
	}{
		{"before root moves", g.Snapshot(day(14)), []string{"b", "a", "root"}},
		{"after root moves", g.Snapshot(day(25)), []string{"b", "root", "top"}},
		{"after, as known before", g.SnapshotAsOf(day(25), recAt(11)), []string{"b", "root"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(t, g, tt.s, "c").Upline; !cmp.Equal(got, tt.want) {
				t.Errorf("upline = %v, want %v", got, tt.want)
			}
		})
	}
	root, _ := g.Lookup("root")
	up, _ = g.Snapshot(day(25)).Upline(c)
	up.Next()
	if a, _ := up.Next(); a != (Ancestor{Member: root, Level: 2, Status: Suspended, Ranks: Ranks{1, 1}}) {
		t.Errorf("root after its changes: %+v", a)
	}
}

// TestSnapshotAsOfAfterApply: a snapshot as of one knowledge instant, asked
// again after more changes were applied, sees them when they were
// recorded by then, and not otherwise.
func TestSnapshotAsOfAfterApply(t *testing.T) {
	var g Genealogy
	later := recAt(20)
	for i := range 5 {
		id := string(rune('a' + i))
		sponsor := ""
		if i > 0 {
			sponsor = string(rune('a' + i - 1))
		}
		if err := g.Enroll(id, Distributor, sponsor, day(i), recAt(i+1)); err != nil {
			t.Fatal(err)
		}
		// The same knowledge instant as after the change before: a cut
		// remembered from then must not hide this one.
		if _, err := g.SnapshotAsOf(day(30), later).Lookup(id); err != nil {
			t.Fatalf("after enrolling %s, as known at %s: %v", id, later.Format(time.TimeOnly), err)
		}
	}
	for i := range 5 {
		_, err := g.SnapshotAsOf(day(30), recAt(2)).Lookup(string(rune('a' + i)))
		if (err == nil) != (i < 2) {
			t.Fatalf("%c as known at %s: %v", 'a'+i, recAt(2).Format(time.TimeOnly), err)
		}
	}
}
