package hierarchy

import "math"

// MaxWarm is the most ids one Warm call reads ahead for.
const MaxWarm = 32

// Warm reads what looking up each of ids and walking up to levels of its
// sponsor chain read first — the id's table slot and bytes and the
// member's enrollment instant, then the member's node and each enrollment
// sponsor's node and id — for all the ids in lockstep, one level at a
// time, and returns how many members it reached: the ids it found and
// their ancestors, at most len(ids) × (levels+1).
//
// It changes nothing and answers nothing a Snapshot does not: it exists
// for speed. On a genealogy larger than the processor's caches each of
// those reads is a cache miss, and a lookup and a walk make them one after
// another, each waiting for the last. Warm makes the reads of different
// ids together, so that their waits overlap, and the lookups and walks
// that follow find what they need in the caches. Use it on the customers
// of the next few orders of a batch before calculating them
// (commission.Engine.CalculateEach does). It follows enrollment sponsors
// whatever the instant: a later sponsor change only makes it read ahead
// along the old chain. Ids past the first MaxWarm are ignored.
func (g *Genealogy) Warm(ids []string, levels int) int {
	t := &g.ids
	if len(t.slots) == 0 || len(ids) == 0 {
		return 0
	}
	ids = ids[:min(len(ids), MaxWarm)]
	mask := uint64(len(t.slots) - 1)
	// The ids' first slots, all at once.
	var hashes [MaxWarm]uint64
	var slots [MaxWarm]uint64
	for i, id := range ids {
		h := hashString(id)
		hashes[i], slots[i] = h, t.slots[h&mask]
	}
	// Each id's entry, as find finds it (probing on, rarely, past other
	// strings, and comparing the bytes of the one whose tag matches).
	var cur [MaxWarm]int32
	reached := 0
	for i, id := range ids {
		cur[i] = -1
		h := hashes[i]
		for j, v := h&mask, slots[i]; v != 0; j, v = (j+1)&mask, t.slots[(j+1)&mask] {
			if v&^0xffffffff != tagOf(h) {
				continue
			}
			e := int32(uint32(v)) - 1
			if a, b := t.bounds(e); string(t.data[a:b]) == id {
				cur[i] = e
				// And its enrollment instant, which Snapshot.Lookup reads
				// next. e ≥ 0 always holds: the comparison is for the read.
				if g.enrollAt[e] != math.MinInt64 || e >= 0 {
					reached++
				}
				break
			}
		}
	}
	// Then the chains, a level at a time across the ids: each ancestor's
	// node, and its id (the bounds now, the bytes a level later, once the
	// bounds are in), which a Snapshot's caller usually reads next. A
	// member counts once its id's first byte is read: ids are not empty
	// and do not start with a NUL byte (they are printable), so the
	// comparison always holds, and the reads are not optimized away.
	var start [MaxWarm]int32 // where the last ancestor's id starts; -1 none
	for i := range start {
		start[i] = -1
	}
	for level := 0; level <= levels; level++ {
		more := false
		for i := range ids {
			if a := start[i]; a >= 0 {
				start[i] = -1
				if t.data[a] != 0 {
					reached++
				}
			}
			m := cur[i]
			if m < 0 || level == levels {
				continue
			}
			s := g.nodes[m].sponsor
			if s < -1 {
				s = moved(s) // the enrollment sponsor
			}
			cur[i] = s
			if s >= 0 {
				start[i] = int32(t.start(s))
				more = true
			}
		}
		if !more {
			break
		}
	}
	return reached
}
