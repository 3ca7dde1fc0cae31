package ledger

import (
	"hash/maphash"

	"github.com/uplinehq/upline/commission"
)

// idIndex finds a stream's entries by id, keeping of each what a post
// compares a new entry with (sameEntry reads a posted entry's type and
// event when the new one is an event's). It is a table of slots found by
// each id's hash (linear probing, at most half full), which grows without
// hashing every id again at once: the table before a growth is kept, its
// slots moved to the new one a few for each id added and found in either
// meanwhile, so that the post whose entries fill a table costs what the
// others do. Ids are hashed when first looked for, not when added: an
// order's first post, which looks for none, only lists its own. The zero
// idIndex is empty.
type idIndex struct {
	cur, old []idSlot
	moved    int      // old's slots moved to cur, from its start
	n        int      // ids in cur and old together
	added    []idSlot // ids added since the last find, not hashed yet
}

// idSlot is one id's slot; hash 0 marks an empty one.
type idSlot struct {
	hash uint64
	id   string
	typ  Type
	ev   *commission.Event
}

// idSeed seeds the ids' hashes. Nothing a ledger writes or returns depends
// on where an id sits in a table, so the seed may differ from process to
// process.
var idSeed = maphash.MakeSeed()

// movePace is how many of old's slots each add moves: a growth doubles a
// half-full table, so moving two per add would empty old just as cur is
// half full; four moves it in half that.
const movePace = 4

// reserve makes room for n ids in an empty index, so that a stream read
// whole is listed, and then hashed, without growing.
func (x *idIndex) reserve(n int) {
	if x.n == 0 && len(x.added) == 0 {
		x.added = make([]idSlot, 0, n)
	}
}

func tableSize(n int) int {
	size := 16
	for size < n {
		size *= 2
	}
	return size
}

// add indexes an entry's id with its type and event.
func (x *idIndex) add(id string, typ Type, ev *commission.Event) {
	x.added = append(x.added, idSlot{id: id, typ: typ, ev: ev})
}

// hash puts the ids added since the last find in the table.
func (x *idIndex) hash() {
	if x.n == 0 && 2*len(x.added) > len(x.cur) {
		x.cur = make([]idSlot, tableSize(2*len(x.added)))
	}
	for i := range x.added {
		x.insert(x.added[i])
	}
	x.added = x.added[:0]
}

func (x *idIndex) insert(s idSlot) {
	x.move(movePace)
	if 2*(x.n+1) > len(x.cur) {
		x.move(len(x.old))
		x.old, x.cur, x.moved = x.cur, make([]idSlot, tableSize(2*len(x.cur))), 0
	}
	s.hash = maphash.String(idSeed, s.id) | 1
	put(x.cur, s)
	x.n++
}

// move moves up to k of old's slots to cur, and drops old once all are.
func (x *idIndex) move(k int) {
	for ; k > 0 && x.moved < len(x.old); k-- {
		if s := &x.old[x.moved]; s.hash != 0 {
			put(x.cur, *s)
		}
		x.moved++
	}
	if x.moved == len(x.old) {
		x.old, x.moved = nil, 0
	}
}

func put(table []idSlot, s idSlot) {
	mask := uint64(len(table) - 1)
	for i := s.hash & mask; ; i = (i + 1) & mask {
		if table[i].hash == 0 {
			table[i] = s
			return
		}
	}
}

// find returns the entry with id as sameEntry reads it (its id, type and
// event), or nil when the stream holds none.
func (x *idIndex) find(id string) *Entry {
	x.hash()
	if x.n == 0 {
		return nil
	}
	h := maphash.String(idSeed, id) | 1
	for _, table := range [2][]idSlot{x.cur, x.old} {
		if len(table) == 0 {
			continue
		}
		mask := uint64(len(table) - 1)
		for i := h & mask; table[i].hash != 0; i = (i + 1) & mask {
			if s := &table[i]; s.hash == h && s.id == id {
				return &Entry{ID: id, Type: s.typ, Event: s.ev}
			}
		}
	}
	return nil
}
