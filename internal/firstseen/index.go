// Package firstseen numbers distinct keys in the order first seen: a
// comparison per key while they are few, a map once they are many. An
// order's slots are usually a few dozen, where building a map costs more
// than searching a short list, and sometimes tens of thousands.
package firstseen

import "slices"

// small is how many keys are searched one by one before a map is built.
const small = 32

// Index numbers keys 0, 1, 2, ... in the order Add first sees them. The
// zero Index is empty.
type Index[K comparable] struct {
	keys []K
	m    map[K]int
}

// Len returns how many keys the index holds.
func (x *Index[K]) Len() int { return len(x.keys) }

// Grow makes room for n more keys without allocating again.
func (x *Index[K]) Grow(n int) { x.keys = slices.Grow(x.keys, n) }

// Reset empties the index and keeps the room its keys took, holding no
// key any longer.
func (x *Index[K]) Reset() {
	clear(x.keys)
	x.keys, x.m = x.keys[:0], nil
}

// Keys returns the keys in the order first seen, the number of each its
// index. The caller must not modify it.
func (x *Index[K]) Keys() []K { return x.keys }

// Find returns the number of k, or false when k was never added.
func (x *Index[K]) Find(k K) (int, bool) {
	if x.m != nil {
		i, ok := x.m[k]
		return i, ok
	}
	for i := range x.keys {
		if x.keys[i] == k {
			return i, true
		}
	}
	return 0, false
}

// Add returns the number of k, numbering it next when it is new; added
// reports whether it was.
func (x *Index[K]) Add(k K) (i int, added bool) {
	if i, ok := x.Find(k); ok {
		return i, false
	}
	i = len(x.keys)
	x.keys = append(x.keys, k)
	switch {
	case x.m != nil:
		x.m[k] = i
	case len(x.keys) > small:
		x.m = make(map[K]int, 2*len(x.keys))
		for j, key := range x.keys {
			x.m[key] = j
		}
	}
	return i, true
}
