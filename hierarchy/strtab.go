package hierarchy

import (
	"math/bits"
	"unsafe"
)

// strtab interns strings without a pointer per string: the bytes of all
// strings sit in one slice, entry i ends at ends[i], and an open-addressing
// table maps a string to its entry. The garbage collector sees three
// pointer-free slices, however many strings there are.
//
// A slot holds the entry+1 in its low 32 bits (0 is empty) and 32 more
// bits of the string's hash in its high ones, so that probing past
// another string compares that tag and never touches ends or data: a
// lookup reads the string's bytes only once, for the entry that holds it.
//
// Bytes already written are never modified, so a string returned by str
// stays valid after data grows (the old array lives on while referenced).
type strtab struct {
	data  []byte
	ends  []uint32
	slots []uint64 // tag<<32 | entry+1; 0 is empty
}

// hashString hashes s eight bytes at a time, each folded in with a
// 64×64→128-bit multiplication (wyhash's mix), and its length last, as a
// factor of its own: folded in with the bytes, a length could cancel the
// last byte ("m2" and "m23" once hashed alike). It is deterministic (no
// per-process seed): tables are rebuilt the same way on every run. The
// table uses the low bits for the slot and the high 32 as the tag.
func hashString(s string) uint64 {
	const k0, k1, k2 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db, 0x8ebc6af09c88c6e3
	n := uint64(len(s))
	h := uint64(k0)
	for len(s) > 8 {
		h = mix(h^le64(s), k1)
		s = s[8:]
	}
	// The last 0..8 bytes, read so that different strings of the same
	// length give different values.
	var v uint64
	switch n := len(s); {
	case n >= 4:
		v = uint64(le32(s))<<32 | uint64(le32(s[n-4:]))
	case n > 0:
		v = uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1])
	}
	return mix(mix(h^v, k1)^k2, k0^n)
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func tagOf(h uint64) uint64 { return h >> 32 << 32 }

func (t *strtab) len() int { return len(t.ends) }

func (t *strtab) bounds(i int32) (uint32, uint32) { return t.start(i), t.ends[i] }

// start returns where entry i's bytes start in data.
func (t *strtab) start(i int32) uint32 {
	if i == 0 {
		return 0
	}
	return t.ends[i-1]
}

// str returns entry i without copying.
func (t *strtab) str(i int32) string {
	a, b := t.bounds(i)
	if a == b {
		return ""
	}
	return unsafe.String(&t.data[a], int(b-a))
}

// find returns the entry holding s.
func (t *strtab) find(s string) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	h := hashString(s)
	tag, mask := tagOf(h), uint64(len(t.slots)-1)
	for i := h & mask; ; i = (i + 1) & mask {
		v := t.slots[i]
		if v == 0 {
			return 0, false
		}
		if v&^0xffffffff == tag {
			e := int32(uint32(v)) - 1
			if a, b := t.bounds(e); string(t.data[a:b]) == s {
				return e, true
			}
		}
	}
}

// fits reports whether s can be added without overflowing the offsets.
func (t *strtab) fits(s string) bool {
	return uint64(len(t.data))+uint64(len(s)) <= 1<<32-1 && len(t.ends) < 1<<31-2
}

// add appends s, which must not be present and must fit, and returns its
// entry.
func (t *strtab) add(s string) int32 {
	if 2*(len(t.ends)+1) > len(t.slots) {
		t.rehash(max(16, 2*len(t.slots)))
	}
	t.data = append(t.data, s...)
	t.ends = append(t.ends, uint32(len(t.data)))
	e := int32(len(t.ends) - 1)
	t.place(hashString(s), e)
	return e
}

func (t *strtab) place(h uint64, e int32) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for ; t.slots[i] != 0; i = (i + 1) & mask {
	}
	t.slots[i] = tagOf(h) | uint64(e+1)
}

func (t *strtab) rehash(n int) {
	t.slots = make([]uint64, n)
	for e := range int32(len(t.ends)) {
		t.place(hashString(t.str(e)), e)
	}
}

func (t *strtab) bytes() int {
	return cap(t.data) + 4*cap(t.ends) + 8*cap(t.slots)
}
