// Package inboxtest is the conformance suite every webhook.Inbox passes:
// memory, file, PostgreSQL, a user's own. Run it in one line:
//
//	func TestInbox(t *testing.T) {
//		inboxtest.Run(t, func(t *testing.T) webhook.Inbox { return webhook.NewMemory() })
//	}
//
// open returns a new, empty inbox for each subtest.
package inboxtest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/adapters/webhook"
)

var received = time.Date(2025, 8, 28, 8, 11, 4, 123456789, time.UTC)

// record returns a held delivery numbered n.
func record(n int) webhook.Record {
	return webhook.Record{
		ID: fmt.Sprintf("shopify-%04d", n), Source: "shopify", Topic: "orders/paid",
		DeliveryID: fmt.Sprintf("b54557e4-%04d", n),
		Header:     http.Header{"X-Shopify-Hmac-Sha256": {"c2lnbmF0dXJl"}, "Content-Type": {"application/json"}},
		Body:       []byte(fmt.Sprintf(`{"id": %d, "note": "é\u0000\n"}`, n)),
		Received:   received.Add(time.Duration(n) * time.Second),
		State:      webhook.Held, Outcome: "held", Order: fmt.Sprintf("shopify/acme.myshopify.com/%d", n),
		Reason: webhook.ReasonUnknownSKU, Detail: "sku: unknown SKU", Attempts: 1,
		Updated: received.Add(time.Duration(n) * time.Second),
	}
}

// Run runs the suite against inboxes made by open.
func Run(t *testing.T, open func(t *testing.T) webhook.Inbox) {
	ctx := context.Background()
	put := func(t *testing.T, in webhook.Inbox, r webhook.Record) {
		t.Helper()
		if err := in.Put(ctx, &r); err != nil {
			t.Fatalf("Put %s: %v", r.ID, err)
		}
	}
	get := func(t *testing.T, in webhook.Inbox, id string) webhook.Record {
		t.Helper()
		r, ok, err := in.Get(ctx, id)
		if err != nil || !ok {
			t.Fatalf("Get %s: ok %v, %v", id, ok, err)
		}
		return r
	}

	t.Run("put then get returns the record as put", func(t *testing.T) {
		in := open(t)
		want := record(1)
		put(t, in, want)
		if d := cmp.Diff(want, get(t, in, want.ID)); d != "" {
			t.Errorf("(-put +got):\n%s", d)
		}
	})

	t.Run("get of an unknown id", func(t *testing.T) {
		in := open(t)
		if _, ok, err := in.Get(ctx, "shopify-none"); ok || err != nil {
			t.Errorf("ok %v, err %v; want neither", ok, err)
		}
	})

	t.Run("a record without id or state is refused", func(t *testing.T) {
		in := open(t)
		noID, noState := record(1), record(2)
		noID.ID, noState.State = "", 0
		for _, r := range []webhook.Record{noID, noState} {
			if err := in.Put(ctx, &r); err == nil {
				t.Errorf("Put of %+v: no error", r.ID)
			}
		}
		if held, _ := in.Held(ctx, ""); len(held) != 0 {
			t.Errorf("%d records kept", len(held))
		}
	})

	t.Run("a second put changes only what delivering did", func(t *testing.T) {
		in := open(t)
		first := record(1)
		put(t, in, first)
		again := first
		again.Body, again.Header, again.Topic, again.Received = []byte("other"), nil, "orders/updated", received.Add(time.Hour)
		again.State, again.Outcome, again.Reason, again.Detail = webhook.Done, "posted", "", ""
		again.Attempts, again.Updated = 2, received.Add(time.Hour)
		put(t, in, again)
		want := first
		want.State, want.Outcome, want.Reason, want.Detail, want.Attempts, want.Updated = webhook.Done, "posted", "", "", 2, received.Add(time.Hour)
		if d := cmp.Diff(want, get(t, in, first.ID)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})

	t.Run("a done record stays done", func(t *testing.T) {
		in := open(t)
		r := record(1)
		r.State, r.Outcome, r.Reason, r.Detail = webhook.Done, "posted", "", ""
		put(t, in, r)
		held := record(1)
		held.Attempts = 2
		put(t, in, held)
		if d := cmp.Diff(r, get(t, in, r.ID)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if hs, err := in.Held(ctx, ""); err != nil || len(hs) != 0 {
			t.Errorf("held: %d, %v; want none", len(hs), err)
		}
	})

	t.Run("held lists by reason in the order first recorded", func(t *testing.T) {
		in := open(t)
		reasons := []string{webhook.ReasonUnknownSKU, webhook.ReasonMalformed, webhook.ReasonUnknownSKU, webhook.ReasonStore, webhook.ReasonUnknownSKU}
		for i := len(reasons) - 1; i >= 0; i-- {
			// Recorded last first: ids do not sort in recording order.
			r := record(i)
			r.Reason = reasons[i]
			put(t, in, r)
		}
		done := record(2)
		done.State, done.Outcome, done.Reason = webhook.Done, "posted", ""
		put(t, in, done)
		ids := func(reason string) []string {
			hs, err := in.Held(ctx, reason)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, h := range hs {
				out = append(out, h.ID)
			}
			return out
		}
		for _, c := range []struct {
			reason string
			want   []string
		}{
			{"", []string{"shopify-0004", "shopify-0003", "shopify-0001", "shopify-0000"}},
			{webhook.ReasonUnknownSKU, []string{"shopify-0004", "shopify-0000"}},
			{webhook.ReasonStore, []string{"shopify-0003"}},
			{webhook.ReasonConflict, nil},
		} {
			if d := cmp.Diff(c.want, ids(c.reason)); d != "" {
				t.Errorf("Held(%q) (-want +got):\n%s", c.reason, d)
			}
		}
	})

	t.Run("scan visits every record in the order first recorded", func(t *testing.T) {
		in := open(t)
		var want []string
		for _, n := range []int{3, 1, 2} {
			r := record(n)
			if n == 1 {
				r.State = webhook.Done
			}
			put(t, in, r)
			want = append(want, r.ID)
		}
		var got []string
		err := in.Scan(ctx, func(r webhook.Record) error {
			got = append(got, r.ID)
			// Scan must let fn use the inbox.
			again := r
			again.Attempts++
			return in.Put(ctx, &again)
		})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		stop := fmt.Errorf("stop")
		n := 0
		if err := in.Scan(ctx, func(webhook.Record) error { n++; return stop }); err != stop || n != 1 {
			t.Errorf("Scan after fn's error: %v after %d calls; want it after 1", err, n)
		}
	})

	t.Run("records returned are copies", func(t *testing.T) {
		in := open(t)
		r := record(1)
		put(t, in, r)
		r.Body[1], r.Header["Content-Type"][0] = 'X', "text/plain"
		got := get(t, in, r.ID)
		got.Body[2] = 'Y'
		got.Header.Set("X-Shopify-Hmac-Sha256", "changed")
		if d := cmp.Diff(record(1), get(t, in, r.ID)); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})

	t.Run("concurrent puts are all kept", func(t *testing.T) {
		in := open(t)
		const writers, each = 8, 25
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					r := record(w*each + i)
					if err := in.Put(ctx, &r); err != nil {
						t.Error(err)
						return
					}
					r.Attempts++
					if err := in.Put(ctx, &r); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		hs, err := in.Held(ctx, "")
		if err != nil || len(hs) != writers*each {
			t.Fatalf("%d held, %v; want %d", len(hs), err, writers*each)
		}
		for _, h := range hs {
			if h.Attempts != 2 {
				t.Errorf("%s: %d attempts, want 2", h.ID, h.Attempts)
			}
		}
	})
}
