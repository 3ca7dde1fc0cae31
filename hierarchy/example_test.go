package hierarchy_test

import (
	"fmt"
	"time"

	"github.com/uplinehq/upline/hierarchy"
)

func date(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }

// Build a small genealogy and walk an upline as it stood when an order was
// placed.
func Example() {
	var g hierarchy.Genealogy
	now := date(3, 1)
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(g.Enroll("ann", hierarchy.Distributor, "", date(1, 1), now))
	must(g.Enroll("bob", hierarchy.Distributor, "ann", date(1, 5), now))
	must(g.Enroll("cat", hierarchy.Distributor, "bob", date(1, 9), now))
	must(g.Enroll("dan", hierarchy.Retail, "cat", date(1, 10), now))
	must(g.SetRank("bob", hierarchy.Ranks{PaidAs: 2, Highest: 2}, date(2, 1), now))
	must(g.AddCode("cat", "CAT-10", date(1, 9), now))

	snap := g.Snapshot(date(2, 15)) // the order's instant
	buyer, _ := snap.Resolve("CAT-10")
	fmt.Println("code CAT-10 belongs to", g.ID(buyer))
	dan, _ := snap.Lookup("dan")
	up, _ := snap.Upline(dan)
	for a, ok := up.Next(); ok; a, ok = up.Next() {
		fmt.Printf("level %d: %s %s paid-as %d\n", a.Level, g.ID(a.Member), a.Status, a.Ranks.PaidAs)
	}
	// Output:
	// code CAT-10 belongs to cat
	// level 1: cat active paid-as 0
	// level 2: bob active paid-as 2
	// level 3: ann active paid-as 0
}

// A correction recorded later does not change what was known before it:
// an order already calculated can be recalculated identically, and
// recalculating with the correction is a deliberate new snapshot.
func ExampleGenealogy_SnapshotAsOf() {
	var g hierarchy.Genealogy
	_ = g.Enroll("ann", hierarchy.Distributor, "", date(1, 1), date(1, 1))
	_ = g.Enroll("eve", hierarchy.Distributor, "", date(1, 1), date(1, 1))
	_ = g.Enroll("bob", hierarchy.Distributor, "ann", date(1, 5), date(1, 5))
	// On March 1st support fixes bob's sponsor as of February 1st.
	_ = g.ChangeSponsor("bob", "eve", date(2, 1), date(3, 1))

	bob, _ := g.Lookup("bob")
	before, _ := g.SnapshotAsOf(date(2, 10), date(2, 28)).Sponsor(bob)
	after, _ := g.Snapshot(date(2, 10)).Sponsor(bob)
	fmt.Println("as known on Feb 28:", g.ID(before))
	fmt.Println("as known now:      ", g.ID(after))
	// Output:
	// as known on Feb 28: ann
	// as known now:       eve
}

// Refused changes say why.
func ExampleGenealogy_Apply() {
	var g hierarchy.Genealogy
	_ = g.Enroll("ann", hierarchy.Distributor, "", date(1, 1), date(1, 1))
	_ = g.Enroll("bob", hierarchy.Distributor, "ann", date(1, 5), date(1, 5))
	err := g.ChangeSponsor("ann", "bob", date(2, 1), date(2, 1))
	fmt.Println(err)
	// Output:
	// hierarchy: would make a cycle: sponsor "ann" -> "bob" at 2024-02-01T00:00:00Z: "ann" would be an ancestor of its own sponsor "bob" at 2024-02-01T00:00:00Z
}
