package tree

import (
	"unsafe"

	"github.com/uplinehq/upline/internal/strtab"
)

// MaxReadahead is the most ids one Readahead (or Warm) reads ahead for.
const MaxReadahead = 32

// Readahead reads ahead for the lookups and upline walks of a few ids to
// come, one step at a time. Each step asks the processor to bring into its
// caches the next thing each id's lookup or walk will read — the id's
// table slot, its entry, bytes and enrollment instant, the member's node,
// then each enrollment sponsor's node and id — and waits for none of it:
// it reads only what the step before asked for. Spread the steps between
// other work (commission.Engine.CalculateEach takes one after each order
// it calculates) and the lookups and walks that follow find what they need
// in the caches instead of waiting on memory, read after read.
//
// It changes nothing and answers nothing a hierarchy.Snapshot does not:
// it exists for speed. It follows enrollment sponsors whatever the instant (a later
// sponsor change only makes it read ahead along the old chain). Ids past
// the first MaxReadahead are ignored. Where the package has no prefetch
// instruction for the processor (other than amd64 and arm64, or when
// built with the purego tag), the steps only read what they must to take
// the next one. The zero Readahead is
// done; Start begins one.
type Readahead struct {
	g       *Genealogy
	ids     [MaxReadahead]string
	hash    [MaxReadahead]uint64
	cur     [MaxReadahead]int32 // the member reached; -1: none (yet, or any more)
	pending [MaxReadahead]int32 // an ancestor whose id's bytes are still to fetch, or -1
	n       int
	levels  int
	step    int
	reached int
}

// Start begins reading ahead for ids and up to levels of their sponsor
// chains, and takes the first step.
func (r *Readahead) Start(g *Genealogy, ids []string, levels int) {
	r.g, r.levels, r.step, r.reached = g, max(levels, 0), 0, 0
	r.n = copy(r.ids[:], ids)
	t := &g.IDs
	if t.Cap() == 0 {
		r.n = 0
		return
	}
	var addrs [MaxReadahead]uintptr
	for i := range r.n {
		h := strtab.Hash(0, r.ids[i])
		r.hash[i], r.cur[i], r.pending[i] = h, -1, -1
		addrs[i] = addrOf(t.Slot(h))
	}
	prefetch(addrs[:r.n])
}

// Step takes the next step and reports whether any remain.
func (r *Readahead) Step() bool {
	if r.n == 0 {
		return false
	}
	r.step++
	var buf [3 * MaxReadahead]uintptr
	var more bool
	addrs := buf[:0]
	switch r.step {
	case 1:
		addrs, more = r.entries(addrs)
	case 2:
		addrs, more = r.entryBytes(addrs)
	default:
		addrs, more = r.climb(addrs)
	}
	prefetch(addrs) // what the step asks for, in one call
	return more
}

// entries finds each id's entry by the tag in the slot the first step
// asked for (probing on, rarely, past other strings), and asks for its
// bounds, its enrollment instant and its node.
func (r *Readahead) entries(addrs []uintptr) ([]uintptr, bool) {
	g, t := r.g, &r.g.IDs
	more := false
	for i := range r.n {
		if e, _, ok := t.Scan(r.hash[i], r.hash[i]); ok {
			r.cur[i] = e
			addrs = append(addrs, addrOf(&t.Ends[max(e-1, 0)]), addrOf(&g.EnrollAt[e]), addrOf(&g.Nodes[e]))
			more = true
		}
	}
	return addrs, more
}

// entryBytes asks for each entry's bytes, now that its bounds are in.
func (r *Readahead) entryBytes(addrs []uintptr) ([]uintptr, bool) {
	t := &r.g.IDs
	more := false
	for i := range r.n {
		if e := r.cur[i]; e >= 0 && t.Start(e) < uint32(len(t.Data)) {
			addrs = append(addrs, addrOf(&t.Data[t.Start(e)]))
			more = true
		}
	}
	return addrs, more
}

// climb takes one level of every chain (from the third step on), and asks
// for the bytes of the id of the ancestor reached the step before. On the
// third step the entry's bytes are in: where the tag matched another
// string (one probe in 2^32), the id is looked up again, there and then.
func (r *Readahead) climb(addrs []uintptr) ([]uintptr, bool) {
	g, t := r.g, &r.g.IDs
	level := r.step - 3 // levels already climbed
	more := false
	for i := range r.n {
		if a := r.pending[i]; a >= 0 {
			if t.Start(a) < uint32(len(t.Data)) {
				addrs = append(addrs, addrOf(&t.Data[t.Start(a)]))
			}
			r.pending[i] = -1
		}
		m := r.cur[i]
		if m < 0 {
			continue
		}
		if level == 0 {
			if !t.Is(m, r.ids[i]) {
				e, ok := t.Find(r.ids[i])
				if !ok {
					r.cur[i] = -1
					continue
				}
				m = e
			}
			r.reached++
		}
		if level >= r.levels {
			r.cur[i] = -1
			continue
		}
		s := g.EnrollSponsor(m)
		r.cur[i] = s
		if s >= 0 {
			r.reached++
			addrs = append(addrs, addrOf(&g.Nodes[s]), addrOf(&t.Ends[max(s-1, 0)]))
			r.pending[i] = s
			more = true
		}
	}
	// A last step asks for the last ancestors' ids' bytes.
	for i := range r.n {
		more = more || r.pending[i] >= 0
	}
	return addrs, more
}

// Reached returns how many members the read-ahead has reached so far: the
// ids it found and, for each, its ancestors up to levels above it, each
// counted as often as it is reached (a repeated id, an ancestor shared by
// two chains); once done, at most min(len(ids), MaxReadahead) × (levels+1), or
// the ids found when levels ≤ 0.
func (r *Readahead) Reached() int { return r.reached }

// Warm is a Readahead with every step taken at once, each waiting on the
// reads the one before asked for, so that the reads of different ids
// overlap; it returns how many members it reached.
func Warm(g *Genealogy, ids []string, levels int) int {
	var r Readahead
	r.Start(g, ids, levels)
	for r.Step() {
	}
	return r.Reached()
}

func addrOf[T any](p *T) uintptr { return uintptr(unsafe.Pointer(p)) }
