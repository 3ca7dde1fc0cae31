package webhook_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// BenchmarkLoad delivers, over HTTP from 32 concurrent clients, 10,000
// Shopify deliveries for 1,000 orders — each order's 7 revisions and a
// refund, and 2,000 of them delivered twice — shuffled; the ledger must
// equal the deliveries in order, and reconciliation's delta be 0. It
// reports the p50 and p99 latency as a share of the article's stretch
// target, a webhook answered in 120 ms.
//
//	go test ./adapters/webhook -run '^$' -bench Load -benchtime 1x
func BenchmarkLoad(b *testing.B) {
	const orders, revisions, clients = 1000, 7, 32
	w := newWorld(b)
	order, refund := string(payload(b, "shopify-order-paid.json")), string(payload(b, "shopify-refund.json"))
	var distinct []request
	for i := range orders {
		oid := fmt.Sprint(5829367209044 + i)
		body := strings.Replace(order, `"id": 5829367209044`, `"id": `+oid, 1)
		for v := range revisions {
			rev := strings.Replace(body, `"updated_at": "2025-04-01T12:00:05-04:00"`, fmt.Sprintf(`"updated_at": "2025-04-01T12:00:%02d-04:00"`, 5+v), 1)
			distinct = append(distinct, shopifyRequest([]byte(rev), "orders/updated", shopSecret, fmt.Sprintf("o%d-v%d", i, v)))
		}
		r := strings.ReplaceAll(strings.Replace(refund, `"id": 930000000001`, fmt.Sprintf(`"id": %d`, 930000000001+i), 1), "5829367209044", oid)
		distinct = append(distinct, shopifyRequest([]byte(r), "refunds/create", shopSecret, fmt.Sprintf("r%d", i)))
	}
	rng := rand.New(rand.NewPCG(3, 5))
	sent := slices.Clone(distinct)
	for range len(distinct) / 4 {
		sent = append(sent, distinct[rng.IntN(len(distinct))])
	}

	// The deliveries in order, once each.
	want := memoryLedger(b, w, distinct)
	if last := want[len(want)-1]; last != fmt.Sprintf("orders %d matched %d share 0", orders, orders) {
		b.Fatalf("in order: reconciliation %s", last)
	}

	var p50, p99 time.Duration
	for b.Loop() {
		b.StopTimer()
		rng.Shuffle(len(sent), func(i, j int) { sent[i], sent[j] = sent[j], sent[i] })
		s := w.serve(b, serverOptions{})
		b.StartTimer()
		lat := make([]time.Duration, len(sent))
		var wg sync.WaitGroup
		work := make(chan int)
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					start := time.Now()
					if code, a := post(b, s.URL, sent[i]); code != http.StatusOK || a.Outcome == "held" {
						b.Errorf("delivery %d: %d %s %s", i, code, a.Outcome, a.Detail)
					}
					lat[i] = time.Since(start)
				}
			}()
		}
		for i := range sent {
			work <- i
		}
		close(work)
		wg.Wait()
		b.StopTimer()
		slices.Sort(lat)
		p50, p99 = lat[len(lat)/2], lat[len(lat)*99/100]
		got := summarize(b, s.h.Service().Ledger())
		if d := cmp.Diff(want, got); d != "" {
			b.Fatalf("(-in order +shuffled over HTTP):\n%s", d)
		}
		s.Close()
		b.StartTimer()
	}
	const target = 120 * time.Millisecond
	b.ReportMetric(float64(p50)/float64(target), "p50/120ms")
	b.ReportMetric(float64(p99)/float64(target), "p99/120ms")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
}

// memoryLedger delivers reqs in order to a new memory ledger and
// summarizes it.
func memoryLedger(b *testing.B, w *world, reqs []request) []string {
	svc := w.service(b, ledger.NewMemory(), w.catalog)
	for _, r := range reqs {
		res, err := svc.Deliver(ctx, ingest.Delivery{Source: "shopify", Header: r.header, Body: r.body}, received)
		if err != nil || res.Outcome == ingest.Held {
			b.Fatalf("in order: %s %v %v", res.Outcome, res.Reason, err)
		}
	}
	return summarize(b, svc.Ledger())
}

// summarize returns every member's balance and the reconciliation's delta
// share of the orders the ledger holds.
func summarize(b *testing.B, l *ledger.Ledger) []string {
	bs, err := l.Balances(ctx, received.AddDate(1, 0, 0))
	if err != nil {
		b.Fatal(err)
	}
	var out []string
	for _, x := range bs {
		out = append(out, x.Member+" "+x.Currency+" "+x.Amount.String())
	}
	var platform []normalize.Order
	seen := map[normalize.Key]bool{}
	err = l.Store().Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeRevision}}, func(e *ledger.Entry) error {
		if !seen[e.Order] {
			seen[e.Order] = true
			o, _, err := l.Order(ctx, e.Order)
			platform = append(platform, o)
			return err
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	rec, err := l.Reconcile(ctx, ledger.Year(2025), platform, received)
	if err != nil {
		b.Fatal(err)
	}
	return append(out, fmt.Sprintf("orders %d matched %d share %s", rec.Orders, rec.Matched, rec.Share))
}
