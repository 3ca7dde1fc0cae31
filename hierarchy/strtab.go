package hierarchy

import "unsafe"

// strtab interns strings without a pointer per string: the bytes of all
// strings sit in one slice, entry i ends at ends[i], and an open-addressing
// table of int32 maps a string to its entry. The garbage collector sees
// three pointer-free slices, however many strings there are.
//
// Bytes already written are never modified, so a string returned by str
// stays valid after data grows (the old array lives on while referenced).
type strtab struct {
	data  []byte
	ends  []uint32
	slots []int32 // entry+1; 0 is empty
}

func hashString(s string) uint64 {
	// FNV-1a: deterministic (no per-process seed), good enough for ids.
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	// FNV's low bits depend only on the bytes' low bits; the table masks
	// the low bits, so mix the high ones down (murmur3's finalizer).
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

func (t *strtab) len() int { return len(t.ends) }

func (t *strtab) bounds(i int32) (uint32, uint32) {
	var a uint32
	if i > 0 {
		a = t.ends[i-1]
	}
	return a, t.ends[i]
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
	mask := uint64(len(t.slots) - 1)
	for h := hashString(s) & mask; ; h = (h + 1) & mask {
		e := t.slots[h]
		if e == 0 {
			return 0, false
		}
		a, b := t.bounds(e - 1)
		if string(t.data[a:b]) == s {
			return e - 1, true
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
	for h &= mask; t.slots[h] != 0; h = (h + 1) & mask {
	}
	t.slots[h] = e + 1
}

func (t *strtab) rehash(n int) {
	t.slots = make([]int32, n)
	for e := range int32(len(t.ends)) {
		t.place(hashString(t.str(e)), e)
	}
}

func (t *strtab) bytes() int {
	return cap(t.data) + 4*cap(t.ends) + 4*cap(t.slots)
}
