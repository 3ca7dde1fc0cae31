package sku

import (
	"github.com/uplinehq/upline/internal/strtab"
	"github.com/uplinehq/upline/normalize"
)

// The key index. A lookup hashes the key's value once, seeded with its
// scope (platform, store, kind), and probes an open-addressing table
// (internal/strtab's Index) of 8-byte slots: the hash's top 32 bits as a
// fingerprint and a record index. A slot whose fingerprint matches leads to the key's record, 64
// bytes (one cache line) that hold the value itself (up to inlineLen
// bytes) and the key's binding, so a lookup of a key bound once reads one
// slot line, one record line and, unless the instant is at or after the
// bound SKU's last version, that SKU's effective instants: three cache
// lines at most. The hash is fixed, not seeded at random: probe sequences
// depend on the catalog, which the operator supplies, and the table is at
// most half full, so they stay short whatever keys orders carry.

// inlineLen is how many bytes of a key's value its record holds; a longer
// value lives in Catalog.long and the record holds its offset.
const inlineLen = 34

// keyRec is one key: its scope and value, and its bindings. Most keys
// are bound once: the record holds that binding. A key re-bound over time
// has its bindings in Catalog.binds, flagged by rebound in n.
type keyRec struct {
	// at is the binding's instant, math.MinInt64 for since always.
	at int64
	// vers is the span of the bound SKU's versions in Catalog.vers and
	// verAt; for a re-bound key, the span of its bindings in
	// Catalog.binds, ascending by instant.
	vers span
	// last is the instant of the bound SKU's last version: a lookup at
	// or after it (most are) need not read verAt.
	last  int64
	scope uint32
	n     uint16 // length of the value, | rebound
	val   [inlineLen]byte
}

// rebound flags keyRec.n of a key with more than one binding.
const rebound = 1 << 15

// valueIs reports whether the record's value is v.
func (c *Catalog) valueIs(r *keyRec, v string) bool {
	if int(r.n&^rebound) != len(v) {
		return false
	}
	if len(v) <= inlineLen {
		return string(r.val[:len(v)]) == v
	}
	off := int(r.val[0]) | int(r.val[1])<<8 | int(r.val[2])<<16 | int(r.val[3])<<24
	return string(c.long[off:off+len(v)]) == v
}

// setValue stores v in r, appending it to c.long when it is too long.
func (c *Catalog) setValue(r *keyRec, v string) {
	r.n = uint16(len(v))
	if len(v) <= inlineLen {
		copy(r.val[:], v)
		return
	}
	off := len(c.long)
	r.val[0], r.val[1], r.val[2], r.val[3] = byte(off), byte(off>>8), byte(off>>16), byte(off>>24)
	c.long = append(c.long, v...)
}

// index builds the key table over c.recs, at most half full so every
// probe sequence reaches an empty slot.
func (c *Catalog) index() {
	if len(c.recs) == 0 {
		return
	}
	c.slots = strtab.Make(len(c.recs))
	for ri := range c.recs {
		r := &c.recs[ri]
		var h uint64
		if n := int(r.n &^ rebound); n <= inlineLen {
			h = hashKey(r.scope, string(r.val[:n]))
		} else {
			off := int(r.val[0]) | int(r.val[1])<<8 | int(r.val[2])<<16 | int(r.val[3])<<24
			h = hashKey(r.scope, string(c.long[off:off+n]))
		}
		c.slots.Put(h, int32(ri))
	}
}

// scopeIndex returns the index of a key's scope: a scan of the few
// scopes most catalogs have, a probe of scopeTab for more.
func (c *Catalog) scopeIndex(k *Key) (uint32, bool) {
	if len(c.scopes) <= scopeScan {
		for i := range c.scopes {
			s := &c.scopes[i]
			if s.kind == k.Kind && s.platform == k.Platform && s.store == k.Store {
				return uint32(i), true
			}
		}
		return 0, false
	}
	h := scopeHash(k.Platform, k.Store, k.Kind)
	for i := h; ; {
		e, next, ok := c.scopeTab.Scan(h, i)
		if !ok {
			return 0, false
		}
		if s := &c.scopes[e]; s.kind == k.Kind && s.platform == k.Platform && s.store == k.Store {
			return uint32(e), true
		}
		i = next
	}
}

// indexScopes builds scopeTab, at most half full, when there are more
// than scopeScan scopes.
func (c *Catalog) indexScopes() {
	if len(c.scopes) <= scopeScan {
		return
	}
	c.scopeTab = strtab.Make(len(c.scopes))
	for si, s := range c.scopes {
		c.scopeTab.Put(scopeHash(s.platform, s.store, s.kind), int32(si))
	}
}

func scopeHash(p normalize.Platform, store string, kind Kind) uint64 {
	return strtab.Hash(strtab.Hash(strtab.Hash(1, string(p)), store), string(kind))
}

// findKey returns key k's record.
func (c *Catalog) findKey(k *Key) *keyRec {
	if c.slots.Cap() == 0 {
		return nil
	}
	sc, ok := c.scopeIndex(k)
	if !ok {
		return nil
	}
	h := hashKey(sc, k.Value)
	for i := h; ; {
		e, next, ok := c.slots.Scan(h, i)
		if !ok {
			return nil
		}
		if r := &c.recs[e]; r.scope == sc && c.valueIs(r, k.Value) {
			return r
		}
		i = next
	}
}

// resolve returns the index in c.vers of the version key r maps to at t:
// the version in force at t of the SKU of the binding in force at t.
func (c *Catalog) resolve(r *keyRec, t int64) (int32, error) {
	vs := r.vers
	if r.n&rebound != 0 {
		binds := c.binds[vs.lo:vs.hi]
		b := latestBind(binds, t)
		if b < 0 {
			return -1, ErrNotInForce
		}
		vs = binds[b].vers
	} else {
		if r.at > t {
			return -1, ErrNotInForce
		}
		if t >= r.last {
			return vs.hi - 1, nil
		}
	}
	v := latest(c.verAt[vs.lo:vs.hi], t)
	if v < 0 {
		return -1, ErrNotInForce
	}
	return vs.lo + int32(v), nil
}

// latestBind returns the index of the last binding in binds (ascending)
// that is in force at t, or -1.
func latestBind(binds []bind, t int64) int {
	lo, hi := 0, len(binds)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if binds[m].at <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// find returns the index in vers of the version key k maps to at t,
// falling back to the same key for any store (and leaving *k so).
func (c *Catalog) find(k *Key, t int64) (int32, error) {
	r := c.findKey(k)
	if r == nil && k.Store != "" {
		k.Store = ""
		r = c.findKey(k)
	}
	if r == nil {
		return -1, ErrUnknownSKU
	}
	return c.resolve(r, t)
}

// hashKey hashes a key's value, seeded with its scope.
func hashKey(scope uint32, s string) uint64 { return strtab.Hash(strtab.Seed(scope), s) }
