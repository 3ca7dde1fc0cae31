// Package strtab is the one string hash and the one open-addressing table
// of upline's core: sku's key index and hierarchy's member ids and
// referral codes are built on it.
//
// An Index maps 64-bit hashes to entries: each 8-byte slot holds an
// entry+1 in its low 32 bits (0 is empty) and the hash's high 32 bits as
// a tag, so that probing past other entries compares tags and never
// touches what the entries point at; the caller compares the one entry
// whose tag matches. A Table interns strings in one byte slice with an
// Index over them: the garbage collector sees three pointer-free slices,
// however many strings there are.
//
// Hashes are deterministic (no per-process seed), so a table is laid out
// the same way on every run; tables stay at most half full, so probe
// sequences stay short whatever strings their owner supplies.
package strtab

import (
	"math/bits"
	"unsafe"
)

const (
	p0 = 0xa0761d6478bd642f
	p1 = 0xe7037ed1a0b428db
	p2 = 0x8ebc6af09c88c6e3
)

// Hash is a wyhash-style mix of 64-bit multiplications of s, seeded with
// seed (a table's owner may seed with a scope, as sku does with a key's
// platform, store and kind).
func Hash(seed uint64, s string) uint64 {
	seed ^= p0
	n := len(s)
	var a, b uint64
	switch {
	case n == 0:
	case n < 4:
		a = uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1])
	case n <= 8:
		a, b = uint64(le32(s)), uint64(le32(s[n-4:]))
	case n <= 16:
		a, b = le64(s), le64(s[n-8:])
	default:
		for i := 0; n-i > 16; i += 16 {
			seed = mum(le64(s[i:])^p1, le64(s[i+8:])^seed)
		}
		a, b = le64(s[n-16:]), le64(s[n-8:])
	}
	return mum(p1^uint64(n), mum(a^p1, b^seed))
}

// Seed turns a small number (a scope's index) into a seed for Hash.
func Seed(n uint32) uint64 { return uint64(n) * p2 }

func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// Index is an open-addressing table of entries by hash, probed linearly.
// The zero Index is empty.
type Index struct {
	slots []uint64 // tag | entry+1; 0 is empty
}

// Make returns an empty Index with room for n entries, at most half full.
func Make(n int) Index {
	size := 8
	for size < 2*n {
		size <<= 1
	}
	return Index{slots: make([]uint64, size)}
}

// Cap returns how many slots the Index has.
func (x *Index) Cap() int { return len(x.slots) }

// Put adds entry e with hash h. The Index must have a free slot.
func (x *Index) Put(h uint64, e int32) {
	mask := uint64(len(x.slots) - 1)
	i := h & mask
	for ; x.slots[i] != 0; i = (i + 1) & mask {
	}
	x.slots[i] = h>>32<<32 | uint64(e+1)
}

// Slot returns the slot a probe for h starts at, for a caller that asks
// the processor to fetch it ahead; nil for an empty Index.
func (x *Index) Slot(h uint64) *uint64 {
	if len(x.slots) == 0 {
		return nil
	}
	return &x.slots[h&uint64(len(x.slots)-1)]
}

// Scan returns the first entry with h's tag at or after position i of
// h's probe sequence, and the position to scan from for the next one; ok
// is false when the probe reaches an empty slot. A probe starts at i = h:
//
//	for i := h; ; {
//		e, next, ok := x.Scan(h, i)
//		if !ok { break }  // not there
//		if entry e is it { ... }
//		i = next
//	}
//
// The caller compares each entry with what it looks for; everything stays
// in registers.
func (x *Index) Scan(h, i uint64) (e int32, next uint64, ok bool) {
	mask := uint64(len(x.slots) - 1) // all ones for an empty Index: i < 0 fails
	for i &= mask; i < uint64(len(x.slots)); i = (i + 1) & mask {
		v := x.slots[i]
		if v == 0 {
			break
		}
		if (v^h)>>32 == 0 {
			return int32(uint32(v)) - 1, i + 1, true
		}
	}
	return -1, 0, false
}

// Table interns strings: entry i's bytes are Data[Start(i):Ends[i]], and
// Index finds an entry by Hash(0, s). Bytes already written are never
// modified, so a string returned by Str stays valid after Data grows.
// The zero Table is empty.
type Table struct {
	Data []byte
	Ends []uint32
	Index
}

// Len returns the number of entries.
func (t *Table) Len() int { return len(t.Ends) }

// Start returns where entry i's bytes start in Data.
func (t *Table) Start(i int32) uint32 {
	if i == 0 {
		return 0
	}
	return t.Ends[i-1]
}

// Bounds returns where entry i's bytes start and end in Data.
func (t *Table) Bounds(i int32) (uint32, uint32) { return t.Start(i), t.Ends[i] }

// Str returns entry i without copying.
func (t *Table) Str(i int32) string {
	a, b := t.Bounds(i)
	if a == b {
		return ""
	}
	return unsafe.String(&t.Data[a], int(b-a))
}

// Is reports whether entry i holds s.
func (t *Table) Is(i int32, s string) bool {
	a, b := t.Bounds(i)
	return string(t.Data[a:b]) == s
}

// Find returns the entry holding s.
func (t *Table) Find(s string) (int32, bool) {
	h := Hash(0, s)
	for i := h; ; {
		e, next, ok := t.Scan(h, i)
		if !ok {
			return 0, false
		}
		if t.Is(e, s) {
			return e, true
		}
		i = next
	}
}

// Fits reports whether s can be added without overflowing the offsets.
func (t *Table) Fits(s string) bool {
	return uint64(len(t.Data))+uint64(len(s)) <= 1<<32-1 && len(t.Ends) < 1<<31-2
}

// Add appends s, which must not be present and must fit, and returns its
// entry.
func (t *Table) Add(s string) int32 {
	if 2*(len(t.Ends)+1) > t.Cap() {
		t.rehash(max(16, 2*t.Cap()))
	}
	t.Data = append(t.Data, s...)
	t.Ends = append(t.Ends, uint32(len(t.Data)))
	e := int32(len(t.Ends) - 1)
	t.Put(Hash(0, s), e)
	return e
}

func (t *Table) rehash(n int) {
	t.Index = Index{slots: make([]uint64, n)}
	for e := range int32(len(t.Ends)) {
		t.Put(Hash(0, t.Str(e)), e)
	}
}

// Bytes returns the memory the table holds.
func (t *Table) Bytes() int { return cap(t.Data) + 4*cap(t.Ends) + 8*cap(t.slots) }
