// Package killtest kills a webhookd command with SIGKILL under load and
// starts it again: every delivery answered 2xx must be in the inbox and,
// with the platform's retries of the rest, in a ledger equal to the
// deliveries posted once each, in order. The in-memory and the PostgreSQL
// commands both run it.
package killtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/examples/internal/webhookd"
	"github.com/uplinehq/upline/examples/quickstart/payloads"
	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize/shopify"
)

const secret = "shpss_kill_test"

// delivery is one Shopify webhook request.
type delivery struct {
	id, topic string
	body      []byte
}

// deliveries makes orders orders, each paid and partly refunded, as
// Shopify delivers them: every refund and a fifth of the orders delivered
// twice, all shuffled.
func deliveries(t *testing.T, orders int) (distinct, sent []delivery) {
	read := func(name string) string {
		b, err := payloads.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	order, refund := read("shopify-order-paid.json"), read("shopify-refund.json")
	rng := rand.New(rand.NewPCG(7, 13))
	for i := range orders {
		oid := fmt.Sprint(5829367209044 + i)
		o := delivery{fmt.Sprintf("order-%d", i), "orders/paid", []byte(strings.Replace(order, `"id": 5829367209044`, `"id": `+oid, 1))}
		r := delivery{fmt.Sprintf("refund-%d", i), "refunds/create", []byte(strings.ReplaceAll(
			strings.Replace(refund, `"id": 930000000001`, fmt.Sprintf(`"id": %d`, 930000000001+i), 1), "5829367209044", oid))}
		distinct = append(distinct, o, r)
		sent = append(sent, o, r, r)
		if rng.IntN(5) == 0 {
			sent = append(sent, o)
		}
	}
	rng.Shuffle(len(sent), func(i, j int) { sent[i], sent[j] = sent[j], sent[i] })
	return distinct, sent
}

func (d delivery) request(t *testing.T, base string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, base+"/shopify", bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(d.body)
	req.Header.Set(shopify.SignatureHeader, base64.StdEncoding.EncodeToString(m.Sum(nil)))
	req.Header.Set("X-Shopify-Topic", d.topic)
	req.Header.Set("X-Shopify-Webhook-Id", d.id)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// daemon is a webhookd process.
type daemon struct {
	cmd           *exec.Cmd
	listen, admin string
}

func start(t *testing.T, bin, config string, args []string) *daemon {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-config", config}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemon{cmd: cmd}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		var rec map[string]any
		json.Unmarshal(lines.Bytes(), &rec)
		switch rec["msg"] {
		case "webhookd listening":
			d.listen, d.admin = "http://"+rec["listen"].(string), "http://"+rec["admin"].(string)
		case "webhookd ready":
			go io.Copy(io.Discard, out)
			return d
		}
	}
	t.Fatalf("webhookd exited before it was ready: %v", cmd.Wait())
	return nil
}

func balances(t *testing.T, admin string) map[string]string {
	t.Helper()
	res, err := http.Get(admin + "/balances")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Run builds the command in the current folder and runs the kill test
// against it: cfg gives where its data is (Data) and its inbox, if a file
// (Inbox); args are further command-line arguments, after -config.
func Run(t *testing.T, cfg webhookd.Config, args ...string) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "webhookd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg.Listen, cfg.Admin, cfg.RetryEvery = "127.0.0.1:0", "127.0.0.1:0", "1h"
	cfg.Shopify = []webhookd.Store{{Store: "acme.myshopify.com", Secret: secret}}
	b, _ := json.Marshal(cfg)
	config := filepath.Join(dir, "config.json")
	if err := os.WriteFile(config, b, 0o600); err != nil {
		t.Fatal(err)
	}
	distinct, sent := deliveries(t, 150)

	d := start(t, bin, config, args)
	var (
		mu    sync.Mutex
		acked = map[string]string{} // delivery id → inbox id
		next  int
		wg    sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	killAt := len(sent) / 3
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next == len(sent) {
					mu.Unlock()
					return
				}
				dl := sent[next]
				next++
				if next == killAt {
					d.cmd.Process.Signal(syscall.SIGKILL)
				}
				mu.Unlock()
				res, err := client.Do(dl.request(t, d.listen))
				if err != nil {
					continue // killed: the platform will deliver it again
				}
				var a struct{ ID string }
				json.NewDecoder(res.Body).Decode(&a)
				res.Body.Close()
				if res.StatusCode/100 == 2 {
					mu.Lock()
					acked[dl.id] = a.ID
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	d.cmd.Wait()
	if len(acked) == 0 || len(acked) == len(distinct) {
		t.Fatalf("%d of %d deliveries acknowledged before the kill: the test killed nothing under load", len(acked), len(distinct))
	}
	t.Logf("%d of %d distinct deliveries acknowledged before SIGKILL", len(acked), len(distinct))

	d = start(t, bin, config, args)
	for id, rec := range acked {
		res, err := http.Get(d.admin + "/held/" + rec)
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ State string }
		json.NewDecoder(res.Body).Decode(&r)
		res.Body.Close()
		if res.StatusCode != 200 || r.State != "done" {
			t.Errorf("delivery %s, acknowledged, is %d %q in the inbox after the kill", id, res.StatusCode, r.State)
		}
	}
	// The platform delivers again what was not acknowledged.
	for _, dl := range distinct {
		if _, ok := acked[dl.id]; ok {
			continue
		}
		res, err := client.Do(dl.request(t, d.listen))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("retry of %s: %d", dl.id, res.StatusCode)
		}
	}
	got := balances(t, d.admin)

	// The deliveries in order, once each, in this process.
	e, err := webhookd.Engine(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	store := ledger.NewMemory()
	srcs, _ := cfg.Sources()
	svc := ingest.New(ledger.New(store, e), srcs...)
	for _, dl := range distinct {
		req := dl.request(t, "")
		res, err := svc.Deliver(context.Background(), ingest.Delivery{Source: "shopify", Topic: dl.topic, Header: req.Header, Body: dl.body}, time.Now())
		if err != nil || res.Outcome != ingest.Posted {
			t.Fatalf("in order, %s: %s %v %v", dl.id, res.Outcome, res.Reason, err)
		}
	}
	bs, err := ledger.New(store, nil).Balances(context.Background(), time.Now().AddDate(100, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, b := range bs {
		want[b.Member+" "+b.Currency] = b.Amount.String()
	}
	if len(want) == 0 {
		t.Fatal("the deliveries in order paid nobody")
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("balances (-in order +killed and restarted):\n%s", d)
	}

	// A graceful stop.
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v", err)
	}
}
