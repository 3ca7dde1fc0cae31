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
