package commission

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/oklog/ulid/v2"
)

// slotID returns the deterministic ULID of an event: its time is at (to the
// millisecond) and its entropy the first 10 bytes of SHA-256 over the slot,
// followed for a correction by the revision's version.
func slotID(at time.Time, s *Slot, revision int64, correction bool) (ulid.ULID, bool) {
	ms := at.UnixMilli()
	if at.Before(time.Unix(0, 0)) || uint64(ms) > ulid.MaxTime() {
		return ulid.ULID{}, false
	}
	var buf [512]byte
	b := buf[:0]
	b = appendField(b, string(s.Order.Platform))
	b = appendField(b, s.Order.Store)
	b = appendField(b, s.Order.OrderID)
	b = appendField(b, s.LineID)
	b = appendField(b, s.Component)
	b = appendField(b, s.Rule)
	b = appendField(b, s.Beneficiary)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(s.Level)))
	if correction {
		b = binary.BigEndian.AppendUint64(b, uint64(revision))
	}
	sum := sha256.Sum256(b)
	var id ulid.ULID
	if err := id.SetTime(uint64(ms)); err != nil {
		return ulid.ULID{}, false
	}
	copy(id[6:], sum[:10])
	return id, true
}

// appendField appends s with its length in front, so that no two different
// slots encode to the same bytes.
func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
