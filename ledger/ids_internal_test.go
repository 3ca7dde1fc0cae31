package ledger

import (
	"strconv"
	"testing"
)

// TestIDIndex adds ids in batches of every size up to 40, as folds do,
// and after each batch finds every id added so far, with its type, and
// none of those not added, through every growth of the table and while
// the table before it is still being moved.
func TestIDIndex(t *testing.T) {
	var x idIndex
	n, moving := 0, 0
	for batch := 1; n < 2000; batch = batch%40 + 1 {
		for range batch {
			x.add("id "+strconv.Itoa(n), Type(n%14+1), nil)
			n++
		}
		x.hash()
		if x.old != nil {
			moving++
		}
		for i := range n {
			id := "id " + strconv.Itoa(i)
			if e := x.find(id); e == nil || e.ID != id || e.Type != Type(i%14+1) {
				t.Fatalf("after %d ids: find(%s) = %+v", n, id, e)
			}
		}
		for _, id := range []string{"id " + strconv.Itoa(n), "id -1", ""} {
			if e := x.find(id); e != nil {
				t.Fatalf("after %d ids: find(%q) = %+v, want nil", n, id, e)
			}
		}
		if x.n != n || 2*x.n > len(x.cur) {
			t.Fatalf("after %d ids: %d counted in a table of %d", n, x.n, len(x.cur))
		}
	}
	if moving < 10 {
		t.Errorf("only %d batches found ids while a table was moved", moving)
	}
}
