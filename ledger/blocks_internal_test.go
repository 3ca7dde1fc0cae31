package ledger

import "testing"

// TestBlocks checks that a list's elements read back by index across its
// growing first block, its doubling blocks and its full ones, and that
// its blocks hold no room it does not use past the first.
func TestBlocks(t *testing.T) {
	var l blocks[uint64]
	const n = 3*blockLen + 77
	for i := range uint64(n) {
		l.add(i*7 + 1)
	}
	if l.n != n {
		t.Fatalf("n = %d, want %d", l.n, n)
	}
	for i := range uint32(n) {
		if got := l.at(i); got != uint64(i)*7+1 {
			t.Fatalf("at(%d) = %d, want %d", i, got, uint64(i)*7+1)
		}
	}
	if len(l.b[0]) != blockFirst {
		t.Errorf("first block holds %d, want %d", len(l.b[0]), blockFirst)
	}
	total := 0
	for k, b := range l.b {
		total += len(b)
		if k > 0 && k < len(l.b)-1 && cap(b) != len(b) {
			t.Errorf("block %d: cap %d, len %d", k, cap(b), len(b))
		}
	}
	if total != n {
		t.Errorf("blocks hold %d, want %d", total, n)
	}
	if want := blockShift + 1 + n/blockLen; len(l.b) != want {
		t.Errorf("%d blocks, want %d", len(l.b), want)
	}
}
