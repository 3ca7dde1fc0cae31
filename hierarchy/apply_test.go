package hierarchy

import (
	"errors"
	"testing"
	"time"
)

// rec is a recorded instant: hour n of 2024-03-01, after every effective
// instant the tests use unless they say otherwise.
func recAt(n int) time.Time { return time.Date(2024, 3, 1, n, 0, 0, 0, time.UTC) }

// fixture is the genealogy most tests start from, all recorded on
// 2024-03-01:
//
//	root (d0) ── a (d1) ── b (d2) ── c (d3)
//	         └── r (retail of root, d1)
//	later:  b moves under root from d20 (recorded hour 10)
func fixture(t *testing.T) *Genealogy {
	t.Helper()
	g, err := Build(fixtureLog())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func fixtureLog() []Change {
	return []Change{
		{Op: OpEnroll, Member: "root", Kind: Distributor, Effective: day(0), Recorded: recAt(1)},
		{Op: OpEnroll, Member: "a", Kind: Distributor, Sponsor: "root", Parent: "root", Leg: Left, Effective: day(1), Recorded: recAt(2)},
		{Op: OpEnroll, Member: "r", Kind: Retail, Sponsor: "root", Effective: day(1), Recorded: recAt(3)},
		{Op: OpEnroll, Member: "b", Kind: Distributor, Sponsor: "a", Parent: "a", Leg: Right, Effective: day(2), Recorded: recAt(4)},
		{Op: OpEnroll, Member: "c", Kind: Distributor, Sponsor: "b", Effective: day(3), Recorded: recAt(5)},
		{Op: OpRank, Member: "a", PaidAs: 2, Highest: 3, Effective: day(10), Recorded: recAt(6)},
		{Op: OpCode, Member: "a", Code: "ALICE", Effective: day(1), Recorded: recAt(7)},
		{Op: OpSponsor, Member: "b", Sponsor: "root", Effective: day(20), Recorded: recAt(10)},
	}
}

func TestApplyRefuses(t *testing.T) {
	tests := []struct {
		name string
		c    Change
		kind error
		msg  string
	}{
		{"self sponsor on enrollment",
			Change{Op: OpEnroll, Member: "x", Kind: Distributor, Sponsor: "x", Effective: day(5), Recorded: recAt(11)},
			ErrSelfSponsor, `hierarchy: member sponsors itself: enroll "x" -> "x" at 2024-01-06T00:00:00Z: the member would sponsor itself`},
		{"self sponsor on change",
			Change{Op: OpSponsor, Member: "a", Sponsor: "a", Effective: day(5), Recorded: recAt(11)},
			ErrSelfSponsor, `hierarchy: member sponsors itself: sponsor "a" -> "a" at 2024-01-06T00:00:00Z: the member would sponsor itself`},
		{"placed under itself",
			Change{Op: OpPlace, Member: "a", Parent: "a", Effective: day(5), Recorded: recAt(11)},
			ErrSelfSponsor, `hierarchy: member sponsors itself: place "a" -> "a" at 2024-01-06T00:00:00Z: the member would be placed under itself`},
		{"cycle now",
			Change{Op: OpSponsor, Member: "a", Sponsor: "c", Effective: day(5), Recorded: recAt(11)},
			ErrCycle, `hierarchy: would make a cycle: sponsor "a" -> "c" at 2024-01-06T00:00:00Z: "a" would be an ancestor of its own sponsor "c" at 2024-01-06T00:00:00Z`},
		{"no cycle once b has moved away from a",
			Change{Op: OpSponsor, Member: "a", Sponsor: "c", Effective: day(20), Recorded: recAt(11)},
			nil, ""},
		{"retroactive change that cycles only before b moved",
			Change{Op: OpSponsor, Member: "a", Sponsor: "c", Effective: day(15), Recorded: recAt(11)},
			ErrCycle, `hierarchy: would make a cycle: sponsor "a" -> "c" at 2024-01-16T00:00:00Z: "a" would be an ancestor of its own sponsor "c" at 2024-01-16T00:00:00Z`},
		{"cycle that appears later, when an earlier-recorded move takes effect",
			Change{Op: OpSponsor, Member: "root", Sponsor: "b", Effective: day(5), Recorded: recAt(11)},
			ErrCycle, `hierarchy: would make a cycle: sponsor "root" -> "b" at 2024-01-06T00:00:00Z: "root" would be an ancestor of its own sponsor "b" at 2024-01-06T00:00:00Z`},
		{"placement cycle",
			Change{Op: OpPlace, Member: "a", Parent: "b", Leg: Left, Effective: day(5), Recorded: recAt(11)},
			ErrCycle, `hierarchy: would make a cycle: place "a" -> "b" at 2024-01-06T00:00:00Z: "a" would be a placement ancestor of its own parent "b" at 2024-01-06T00:00:00Z`},
		{"change before enrollment",
			Change{Op: OpStatus, Member: "c", Status: Suspended, Effective: day(2), Recorded: recAt(11)},
			ErrBeforeEnrollment, `hierarchy: before enrollment: status "c" at 2024-01-03T00:00:00Z: effective before the member's enrollment at 2024-01-04T00:00:00Z`},
		{"sponsor not yet enrolled",
			Change{Op: OpSponsor, Member: "b", Sponsor: "c", Effective: day(2), Recorded: recAt(11)},
			ErrBeforeEnrollment, `hierarchy: before enrollment: sponsor "b" -> "c" at 2024-01-03T00:00:00Z: the sponsor "c" enrolls only at 2024-01-04T00:00:00Z`},
		{"enrolled under a sponsor not yet enrolled",
			Change{Op: OpEnroll, Member: "x", Kind: Distributor, Sponsor: "c", Effective: day(2), Recorded: recAt(11)},
			ErrBeforeEnrollment, `hierarchy: before enrollment: enroll "x" -> "c" at 2024-01-03T00:00:00Z: the sponsor "c" enrolls only at 2024-01-04T00:00:00Z`},
		{"unknown member",
			Change{Op: OpStatus, Member: "zed", Status: Active, Effective: day(5), Recorded: recAt(11)},
			ErrUnknownMember, `hierarchy: unknown member: status "zed" at 2024-01-06T00:00:00Z: the member is not enrolled`},
		{"unknown sponsor",
			Change{Op: OpEnroll, Member: "x", Kind: Distributor, Sponsor: "zed", Effective: day(5), Recorded: recAt(11)},
			ErrUnknownMember, `hierarchy: unknown member: enroll "x" -> "zed" at 2024-01-06T00:00:00Z: the sponsor "zed" is not enrolled`},
		{"unknown parent",
			Change{Op: OpPlace, Member: "c", Parent: "zed", Effective: day(5), Recorded: recAt(11)},
			ErrUnknownMember, `hierarchy: unknown member: place "c" -> "zed" at 2024-01-06T00:00:00Z: the parent "zed" is not enrolled`},
		{"duplicate member",
			Change{Op: OpEnroll, Member: "a", Kind: Distributor, Sponsor: "root", Effective: day(5), Recorded: recAt(11)},
			ErrDuplicateMember, `hierarchy: member already enrolled: enroll "a" -> "root" at 2024-01-06T00:00:00Z: the member is already enrolled`},
		{"duplicate code, other member",
			Change{Op: OpCode, Member: "b", Code: "ALICE", Effective: day(5), Recorded: recAt(11)},
			ErrDuplicateCode, `hierarchy: code already in use: code "b" -> "ALICE" at 2024-01-06T00:00:00Z: code "ALICE" belongs to "a" (from 2024-01-02T00:00:00Z)`},
		{"duplicate code, same member",
			Change{Op: OpCode, Member: "a", Code: "ALICE", Effective: day(5), Recorded: recAt(11)},
			ErrDuplicateCode, `hierarchy: code already in use: code "a" -> "ALICE" at 2024-01-06T00:00:00Z: code "ALICE" belongs to "a" (from 2024-01-02T00:00:00Z)`},
		{"recorded out of order",
			Change{Op: OpStatus, Member: "a", Status: Inactive, Effective: day(5), Recorded: recAt(9)},
			ErrOutOfOrder, `hierarchy: recorded out of order: status "a" at 2024-01-06T00:00:00Z: recorded 2024-03-01T09:00:00Z, before the last change in the log (recorded 2024-03-01T10:00:00Z)`},
		{"recorded at the same instant as the last change",
			Change{Op: OpStatus, Member: "a", Status: Inactive, Effective: day(5), Recorded: recAt(10)},
			nil, ""},
		{"retail customer as sponsor",
			Change{Op: OpSponsor, Member: "c", Sponsor: "r", Effective: day(5), Recorded: recAt(11)},
			ErrNotDistributor, `hierarchy: retail customer cannot sponsor or place: sponsor "c" -> "r" at 2024-01-06T00:00:00Z: the sponsor "r" is a retail customer`},
		{"retail customer as parent",
			Change{Op: OpPlace, Member: "c", Parent: "r", Effective: day(5), Recorded: recAt(11)},
			ErrNotDistributor, `hierarchy: retail customer cannot sponsor or place: place "c" -> "r" at 2024-01-06T00:00:00Z: the parent "r" is a retail customer`},
		{"retail customer without sponsor",
			Change{Op: OpEnroll, Member: "x", Kind: Retail, Effective: day(5), Recorded: recAt(11)},
			ErrNotDistributor, `hierarchy: retail customer cannot sponsor or place: enroll "x" at 2024-01-06T00:00:00Z: a retail customer needs a sponsor, the distributor who owns it`},
		{"highest rank going down",
			Change{Op: OpRank, Member: "a", PaidAs: 1, Highest: 2, Effective: day(12), Recorded: recAt(11)},
			ErrRankDown, `hierarchy: highest rank would go down: rank "a" at 2024-01-13T00:00:00Z: highest rank 2 is below 3, in effect before`},
		{"retroactive highest rank above a later one",
			Change{Op: OpRank, Member: "a", PaidAs: 4, Highest: 4, Effective: day(5), Recorded: recAt(11)},
			ErrRankDown, `hierarchy: highest rank would go down: rank "a" at 2024-01-06T00:00:00Z: highest rank 4 is above 3, recorded from 2024-01-11T00:00:00Z`},
		{"correcting a highest rank at the same instant",
			Change{Op: OpRank, Member: "a", PaidAs: 1, Highest: 1, Effective: day(10), Recorded: recAt(11)},
			nil, ""},
		{"paid-as above highest",
			Change{Op: OpRank, Member: "a", PaidAs: 5, Highest: 4, Effective: day(12), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: rank "a" at 2024-01-13T00:00:00Z: paid-as rank 5 is above highest rank 4`},
		{"empty member", Change{Op: OpStatus, Status: Active, Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: status: member id is empty`},
		{"unknown op", Change{Op: 9, Member: "a", Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: op(9) "a": unknown op 9`},
		{"field the op does not use", Change{Op: OpStatus, Member: "a", Status: Active, Code: "X", Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: status "a": code is not used by status`},
		{"zero effective instant", Change{Op: OpStatus, Member: "a", Status: Active, Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: status "a": effective instant 0001-01-01T00:00:00Z is outside 1677-09-21..2262-04-11`},
		{"unknown status", Change{Op: OpStatus, Member: "a", Status: 7, Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: status "a" at 2024-01-06T00:00:00Z: unknown status 7`},
		{"unknown kind", Change{Op: OpEnroll, Member: "x", Kind: 3, Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: enroll "x" at 2024-01-06T00:00:00Z: unknown kind 3`},
		{"leg without parent", Change{Op: OpPlace, Member: "c", Leg: Left, Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: place "c" at 2024-01-06T00:00:00Z: a leg needs a parent`},
		{"sponsor change to nobody", Change{Op: OpSponsor, Member: "c", Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: sponsor "c" at 2024-01-06T00:00:00Z: a sponsor change needs a sponsor`},
		{"control character in id", Change{Op: OpEnroll, Member: "x\ny", Kind: Distributor, Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: enroll "x\ny": member id is not printable UTF-8`},
		{"empty code", Change{Op: OpCode, Member: "a", Effective: day(5), Recorded: recAt(11)},
			ErrInvalid, `hierarchy: invalid change: code "a" at 2024-01-06T00:00:00Z: code is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := fixture(t)
			before := g.Changes()
			if err := g.Check(tt.c); !errors.Is(err, tt.kind) || (tt.kind == nil) != (err == nil) {
				t.Fatalf("Check = %v, want %v", err, tt.kind)
			}
			err := g.Apply(tt.c)
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("Apply = %v, want success", err)
				}
				return
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("Apply = %v, want %v", err, tt.kind)
			}
			var e *Error
			if !errors.As(err, &e) || e.Member != tt.c.Member || e.Index != -1 {
				t.Fatalf("Apply = %#v, want an *Error naming %q", err, tt.c.Member)
			}
			if got := err.Error(); got != tt.msg {
				t.Errorf("message\n got %s\nwant %s", got, tt.msg)
			}
			if g.Changes() != before {
				t.Errorf("a refused change was applied")
			}
		})
	}
}

func TestBuildNamesTheChange(t *testing.T) {
	log := append(fixtureLog(), Change{Op: OpSponsor, Member: "a", Sponsor: "c", Effective: day(5), Recorded: recAt(11)})
	_, err := Build(log)
	var e *Error
	if !errors.As(err, &e) || e.Index != 8 || !errors.Is(err, ErrCycle) {
		t.Fatalf("Build = %v, want ErrCycle at change 8", err)
	}
	want := `hierarchy: would make a cycle: change 8: sponsor "a" -> "c" at 2024-01-06T00:00:00Z: "a" would be an ancestor of its own sponsor "c" at 2024-01-06T00:00:00Z`
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
}
