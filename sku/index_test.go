package sku

import (
	"strings"
	"testing"
	"unsafe"
)

// TestValueIs covers the check a probe makes once a slot's fingerprint
// matches, which lookups through the public API reach only on a 32-bit
// hash collision.
func TestValueIs(t *testing.T) {
	c := &Catalog{}
	values := []string{"", "a", "ab", strings.Repeat("x", inlineLen-1), strings.Repeat("x", inlineLen), strings.Repeat("x", inlineLen+1),
		strings.Repeat("y", 200), strings.Repeat("y", 199) + "z", "z" + strings.Repeat("y", 199), strings.Repeat("é", 128)}
	recs := make([]keyRec, len(values))
	for i, v := range values {
		c.setValue(&recs[i], v)
	}
	for i, v := range values {
		for j, w := range values {
			if got := c.valueIs(&recs[i], w); got != (i == j) {
				t.Errorf("record of %q: valueIs(%q) = %v, want %v", v, w, got, i == j)
			}
		}
		if len(v) > 0 {
			for _, w := range []string{v[:len(v)-1] + "#", "#" + v[1:], v + "#", v[1:]} {
				if c.valueIs(&recs[i], w) {
					t.Errorf("record of %q: valueIs(%q) = true", v, w)
				}
			}
		}
	}
}

// TestHashKey: the hash depends on every byte, the length and the scope,
// for every length a value can have.
func TestHashKey(t *testing.T) {
	seen := map[uint64]string{}
	add := func(scope uint32, s string) {
		h := hashKey(scope, s)
		id := string(rune('0'+scope)) + "/" + s
		if prev, ok := seen[h]; ok {
			t.Fatalf("hashKey collision: %q and %q", prev, id)
		}
		seen[h] = id
	}
	for n := 0; n <= 256; n++ {
		base := []byte(strings.Repeat("\x00", n))
		add(0, string(base))
		add(1, string(base))
		for i := range base {
			b := []byte(string(base))
			b[i] = 1
			add(0, string(b))
		}
	}
}

// TestKeyRecSize: a key's record is one cache line.
func TestKeyRecSize(t *testing.T) {
	if n := unsafe.Sizeof(keyRec{}); n != 64 {
		t.Errorf("keyRec is %d bytes, want 64", n)
	}
}
