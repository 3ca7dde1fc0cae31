package tree

import (
	"strconv"
	"testing"

	"github.com/uplinehq/upline/internal/strtab"
)

// TestReadaheadTagMatchOfAnotherString: where the tag in an id's first
// slot belongs to another string (one probe in 2^32; forced here by
// building the table so), the read-ahead looks the id up again and
// reaches what it should.
func TestReadaheadTagMatchOfAnotherString(t *testing.T) {
	// m0 ← m1 ← ... ← m39, each sponsored by the one before.
	var g Genealogy
	for i := range 40 {
		g.IDs.Data = append(g.IDs.Data, "m"+strconv.Itoa(i)...)
		g.IDs.Ends = append(g.IDs.Ends, uint32(len(g.IDs.Data)))
		g.Nodes = append(g.Nodes, Node{Sponsor: int32(i - 1)})
		g.EnrollAt = append(g.EnrollAt, 0)
	}
	// A slot with m30's tag that names m1 comes first on m30's probe
	// sequence; m30's own slot is the next one along.
	g.IDs.Index = strtab.Make(41)
	h30 := strtab.Hash(0, "m30")
	g.IDs.Put(h30, 1)
	for i := range int32(40) {
		g.IDs.Put(strtab.Hash(0, g.IDs.Str(i)), i)
	}
	if e, ok := g.IDs.Find("m30"); !ok || e != 30 {
		t.Fatalf("the table finds m30 at %d, %v", e, ok)
	}
	if got := Warm(&g, []string{"m30"}, 3); got != 4 {
		t.Errorf("Warm(m30, 3) = %d, want 4 (m30, m29, m28, m27)", got)
	}
	if got := Warm(&g, []string{"m30", "m2"}, 5); got != 6+3 {
		t.Errorf("Warm(m30 m2, 5) = %d, want 9", got)
	}
}
