package commission

import (
	"encoding/binary"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/uplinehq/upline/normalize"
)

// Event ids are ULIDs. The time is the order's OrderTS for a commission and
// the revision's instant for a correction, to the millisecond. The 10
// bytes of entropy are a hash of the event's whole slot, computed in
// stages so that what an order's events share is hashed once. With
// c0..c3 the constants below, all arithmetic on uint64 modulo 2^64:
//
//	fmix64(x) = MurmurHash3's 64-bit finaliser (below);
//	words(s)  = s as little-endian 8-byte words w1..wm, the last one
//	            zero-padded — and always present, so an empty s or one a
//	            multiple of 8 long ends in a zero word (m = len(s)/8 + 1);
//	f(s)      = s with its length in front as a uvarint;
//	K         = f(platform) ‖ f(store) ‖ f(order_id), n = len(K);
//	k0, k1    = c0 ^ n, c1 ^ n, then for each w of words(K):
//	            k0 = fmix64(k0 ^ w), k1 = fmix64(k1 ^ w ^ c2);
//	k2, k3    = fmix64(k0 ^ c2), fmix64(k1 ^ c3);
//	h(s)      = with w1..wm = words(s): x = k2 ^ len(s)×c3, then
//	            x = fmix64(x ^ wi) for i < m, and h = fmix64(x ^ wm ^ k3);
//	b         = fmix64(h(beneficiary) + uint64(level)×c3);
//	x0, x1    = k0, k1, then for each v of h(line_id), h(component) (""
//	            for none), h(rule), b and, for a correction only, the
//	            revision's Version in Unix nanoseconds as a uint64:
//	            x0 = fmix64(x0 ^ v), x1 = fmix64(x1 ^ v ^ k2);
//	entropy   = x0 big-endian ‖ the high 2 bytes of x1 big-endian.
//
// fmix64 is a bijection, so each step keeps everything absorbed before
// it. The ids are deterministic and, for distinct slots, distinct except
// with probability about 2^-64 per pair of events of one order (events of
// different orders differ in k0, k1, and in time but for orders placed in
// the same millisecond). They are identifiers, not secrets: nothing relies
// on them being unguessable, so the hash is built for speed from fmix64
// alone. Per event it costs one step (two fmix64, four multiplications);
// the key, each line, component and rule name and each beneficiary id are
// hashed once per calculation, one fmix64 per 8 bytes.
//
// The format changed once, before any release: ids were SHA-256-based
// until then, so an id computed by an earlier build of this package
// differs for the same slot (see the README's "Compatibility").

const (
	c0 = 0x243f6a8885a308d3 // π's fractional bits
	c1 = 0x13198a2e03707344
	c2 = 0xa4093822299f31d0
	c3 = 0x9e3779b97f4a7c15 // 2^64 / φ, odd
)

// orderHash is k0..k3 for one order.
type orderHash [4]uint64

func hashOrder(k normalize.Key) orderHash {
	var buf [256]byte
	b := buf[:0]
	b = appendField(b, string(k.Platform))
	b = appendField(b, k.Store)
	b = appendField(b, k.OrderID)
	n := uint64(len(b))
	x0, x1 := c0^n, c1^n
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		x0, x1 = fmix64(x0^w), fmix64(x1^w^c2)
		b = b[8:]
	}
	w := lastWord(b)
	x0, x1 = fmix64(x0^w), fmix64(x1^w^c2)
	return orderHash{x0, x1, fmix64(x0 ^ c2), fmix64(x1 ^ c3)}
}

// lastWord is the last word of words(s): s's 0 to 7 bytes, zero-padded,
// little-endian.
func lastWord[T string | []byte](s T) uint64 {
	var w uint64
	for i := len(s) - 1; i >= 0; i-- {
		w = w<<8 | uint64(s[i])
	}
	return w
}

// appendField appends s with its length in front, so that no two different
// keys encode to the same bytes.
func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// fmix64 is MurmurHash3's 64-bit finaliser.
func fmix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb53fe1a85ec9
	x ^= x >> 33
	return x
}

// strHash is h(s): a field's length keyed with k2, its words (see the top
// of this file) each absorbed with fmix64, the last with k3.
func (h *orderHash) strHash(s string) uint64 {
	x := h[2] ^ uint64(len(s))*c3
	for len(s) >= 8 {
		x = fmix64(x ^ binary.LittleEndian.Uint64([]byte(s[:8])))
		s = s[8:]
	}
	return fmix64(x ^ lastWord(s) ^ h[3])
}

// idState is the two 64-bit lanes of an id being hashed.
type idState struct{ x0, x1 uint64 }

func (h *orderHash) start() idState { return idState{h[0], h[1]} }

func (s idState) absorb(h *orderHash, v uint64) idState {
	return idState{fmix64(s.x0 ^ v), fmix64(s.x1 ^ v ^ h[2])}
}

// id returns the ULID at ms (which fits: see validMs) with s's entropy.
func (s idState) id(ms uint64) ulid.ULID {
	var id ulid.ULID
	s.put(&id, ms)
	return id
}

// put writes the ULID at ms with s's entropy into id, in place: ms's 6
// bytes, x0's 8, x1's high 2, big-endian, as two words.
func (s idState) put(id *ulid.ULID, ms uint64) {
	binary.BigEndian.PutUint64(id[0:], ms<<16|s.x0>>48)
	binary.BigEndian.PutUint64(id[8:], s.x0<<16|s.x1>>48)
}

// benLevel is b, a beneficiary's part of an id: the hash of its id, hb,
// with the level.
func benLevel(hb uint64, level int) uint64 {
	return fmix64(hb + uint64(int64(level))*c3)
}

// prefix absorbs a slot's line, component and rule.
func (h *orderHash) prefix(line, component, rule string) idState {
	return h.start().absorb(h, h.strHash(line)).absorb(h, h.strHash(component)).absorb(h, h.strHash(rule))
}

// slotID returns the deterministic ULID of an event in slot s at instant
// at, followed for a correction by the revision's version.
func slotID(at time.Time, s *Slot, revision int64, correction bool) (ulid.ULID, bool) {
	ms := at.UnixMilli()
	if at.Before(time.Unix(0, 0)) || uint64(ms) > ulid.MaxTime() {
		return ulid.ULID{}, false
	}
	h := hashOrder(s.Order)
	st := h.prefix(s.LineID, s.Component, s.Rule).absorb(&h, benLevel(h.strHash(s.Beneficiary), s.Level))
	if correction {
		st = st.absorb(&h, uint64(revision))
	}
	return st.id(uint64(ms)), true
}
