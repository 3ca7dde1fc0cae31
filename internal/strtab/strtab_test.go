package strtab

import (
	"strconv"
	"strings"
	"testing"
)

// TestTable adds strings of every length up to 40 (tails of 0..8 bytes
// after 0..4 whole words) and strings differing in one byte at each
// position, through several rehashes: each is found as its own entry,
// and none of a disjoint set is.
func TestTable(t *testing.T) {
	var in, out []string
	for n := range 41 {
		s := strings.Repeat("x", n)
		in = append(in, s)
		for i := range n {
			b := []byte(s)
			b[i] = 'y'
			in = append(in, string(b))
			b[i] = 'z'
			out = append(out, string(b))
		}
	}
	for i := range 5000 {
		in = append(in, "D"+strconv.Itoa(10_000_000+i))
		out = append(out, "R"+strconv.Itoa(10_000_000+i))
	}
	var tab Table
	for i, s := range in {
		if e := tab.Add(s); e != int32(i) {
			t.Fatalf("add(%q) = %d, want %d", s, e, i)
		}
	}
	for i, s := range in {
		if e, ok := tab.Find(s); !ok || e != int32(i) || tab.Str(e) != s {
			t.Errorf("find(%q) = %d, %v; want %d", s, e, ok, i)
		}
	}
	for _, s := range out {
		if e, ok := tab.Find(s); ok {
			t.Errorf("find(%q) = %d, true; it was never added", s, e)
		}
	}
	if n := tab.Cap(); n < 2*len(in) || n&(n-1) != 0 {
		t.Errorf("%d slots for %d strings", n, len(in))
	}
}

// TestHashTails checks that strings of the same length differing
// in any one byte hash differently, whatever part of the hash reads it.
func TestHashTails(t *testing.T) {
	for n := 1; n <= 24; n++ {
		seen := map[uint64]string{}
		for i := range n {
			for _, c := range []byte{'a', 'b', 0xff} {
				b := []byte(strings.Repeat("a", n))
				b[i] = c
				h := Hash(0, string(b))
				if prev, dup := seen[h]; dup && prev != string(b) {
					t.Errorf("Hash(%q) = Hash(%q)", b, prev)
				}
				seen[h] = string(b)
			}
		}
	}
}

// TestHashLengths: strings that share their bytes but not their
// length hash differently — prefixes of one string, and short strings
// whose length and last byte once cancelled out ("m2" and "m23").
func TestHashLengths(t *testing.T) {
	seen := map[uint64]string{}
	add := func(s string) {
		t.Helper()
		h := Hash(0, s)
		if prev, dup := seen[h]; dup && prev != s {
			t.Errorf("Hash(%q) = Hash(%q)", s, prev)
		}
		seen[h] = s
	}
	for _, base := range []string{"m23456789012345678901234567890", strings.Repeat("\x00", 30), strings.Repeat("a", 30)} {
		for n := range len(base) + 1 {
			add(base[:n])
		}
	}
	for i := range 2000 {
		add("m" + strconv.Itoa(i))
	}
}
