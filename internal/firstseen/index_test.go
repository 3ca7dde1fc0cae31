package firstseen

import (
	"strconv"
	"testing"
)

// TestIndex numbers keys in the order first seen, the same before and
// after the index turns to a map.
func TestIndex(t *testing.T) {
	var x Index[string]
	for round := range 2 {
		for i := range 3 * small {
			k := strconv.Itoa(i % (2 * small))
			got, added := x.Add(k)
			want := i % (2 * small)
			if got != want || added != (round == 0 && i < 2*small) {
				t.Fatalf("round %d: Add(%s) = %d, %v; want %d, %v", round, k, got, added, want, round == 0 && i < 2*small)
			}
		}
	}
	if x.Len() != 2*small {
		t.Errorf("Len() = %d, want %d", x.Len(), 2*small)
	}
	if i, ok := x.Find("7"); !ok || i != 7 {
		t.Errorf("Find(7) = %d, %v", i, ok)
	}
	if _, ok := x.Find("none"); ok {
		t.Error("Find(none) found it")
	}
}

// TestReset checks that a reset index numbers keys from 0 again and finds
// none of those it held, both while it searches keys one by one and once
// it has built a map.
func TestReset(t *testing.T) {
	for _, n := range []int{3, 2 * small} {
		var x Index[string]
		for i := range n {
			x.Add(strconv.Itoa(i))
		}
		x.Reset()
		if x.Len() != 0 {
			t.Fatalf("n=%d: Len() after Reset = %d, want 0", n, x.Len())
		}
		if i, ok := x.Find("1"); ok {
			t.Fatalf("n=%d: Find(1) after Reset = %d, true", n, i)
		}
		if i, added := x.Add("1"); i != 0 || !added {
			t.Fatalf("n=%d: Add(1) after Reset = %d, %v; want 0, true", n, i, added)
		}
		if i, added := x.Add("0"); i != 1 || !added {
			t.Fatalf("n=%d: Add(0) after Reset = %d, %v; want 1, true", n, i, added)
		}
	}
}
