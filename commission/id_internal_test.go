package commission

import (
	"strconv"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/uplinehq/upline/normalize"
)

// TestSlotIDsDistinct: ids of slots that differ in any field, including
// where one field's end moves into the next, or only in trailing zero
// bytes, are distinct; corrections differ from commissions and from each
// other by revision; and the cached path the engine takes (prefix, then
// beneficiary and level) equals slotID.
func TestSlotIDsDistinct(t *testing.T) {
	at := time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC)
	key := normalize.Key{Platform: normalize.Shopify, Store: "s", OrderID: "1"}
	seen := map[ulid.ULID]Slot{}
	add := func(s Slot, rev int64, corr bool) {
		t.Helper()
		id, ok := slotID(at, &s, rev, corr)
		if !ok {
			t.Fatal("no id")
		}
		if prev, dup := seen[id]; dup {
			t.Fatalf("slots %+v and %+v share id %s", prev, s, id)
		}
		seen[id] = s
		if !corr {
			h := hashOrder(s.Order)
			got := h.prefix(s.LineID, s.Component, s.Rule).absorb(&h, benLevel(h.strHash(s.Beneficiary), s.Level)).id(uint64(at.UnixMilli()))
			if got != id {
				t.Fatalf("cached path %s, slotID %s", got, id)
			}
		}
	}
	fields := []string{"", "1", "12", "2", "\x00", "1\x00", "12345678", "12345678\x00", "123456781", "M1", "M10"}
	n := 0
	for _, line := range fields {
		for _, comp := range fields[:4] {
			for _, ben := range fields {
				for lv := range 3 {
					add(Slot{Order: key, LineID: line, Component: comp, Rule: "uni", Beneficiary: ben, Level: lv}, 0, false)
					n++
				}
			}
		}
	}
	for i := range 20000 {
		add(Slot{Order: key, LineID: strconv.Itoa(i % 7), Rule: "r" + strconv.Itoa(i%3), Beneficiary: "M" + strconv.Itoa(i), Level: i % 11}, 0, false)
	}
	s := Slot{Order: key, LineID: "1", Rule: "uni", Beneficiary: "A", Level: 1}
	for rev := range int64(50) {
		add(s, at.UnixNano()+rev, true)
	}
	other := s
	other.Order.OrderID = "2"
	add(other, 0, false)
	other.Order = normalize.Key{Platform: normalize.Shopify, Store: "s1", OrderID: ""}
	add(other, 0, false)
	if len(seen) != n+20000+52 {
		t.Fatalf("%d ids", len(seen))
	}
}
