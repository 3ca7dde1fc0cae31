package wire

import "testing"

// sameQty fails t unless Qty reads s as qty, the general path, does.
func sameQty(t *testing.T, s string) {
	t.Helper()
	n := Num{raw: s}
	got, gerr := n.Qty()
	want, werr := n.qty()
	if got != want || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
		t.Fatalf("Qty(%q) = %d, %v; general path %d, %v", s, got, gerr, want, werr)
	}
	if _, ok := plainQty(s); ok && werr != nil {
		t.Fatalf("plainQty read %q, which the general path refuses: %v", s, werr)
	}
}

// TestPlainQty: the quantities plainQty reads and those it leaves to the
// general path.
func TestPlainQty(t *testing.T) {
	for _, tt := range []struct {
		in string
		q  int64
		ok bool
	}{
		{"0", 0, true}, {"2", 2, true}, {"2.0000", 2, true}, {"2.", 2, true}, {"007", 7, true},
		{"999999999999999", 999999999999999, true}, {"1.00000000000000000", 1, true},
		{"9007199254740993", 0, false}, {"1.5", 0, false}, {"-1", 0, false}, {"+1", 0, false}, {"-0", 0, false},
		{"", 0, false}, {".0", 0, false}, {"1e2", 0, false}, {"1.0000000000000000000", 0, false}, {" 1", 0, false},
	} {
		if q, ok := plainQty(tt.in); q != tt.q && tt.ok || ok != tt.ok {
			t.Errorf("plainQty(%q) = %d, %v; want %d, %v", tt.in, q, ok, tt.q, tt.ok)
		}
		sameQty(t, tt.in)
	}
}

// FuzzQty: Qty, with its plain fast path, against the general path.
func FuzzQty(f *testing.F) {
	for _, s := range []string{"2", "2.0000", "1.5", "-0", "9007199254740992", "9007199254740993", "1e1", ""} {
		f.Add(s)
	}
	f.Fuzz(sameQty)
}
