package webhook_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/adapters/webhook"
	"github.com/uplinehq/upline/adapters/webhook/inboxtest"
)

func TestMemory(t *testing.T) {
	inboxtest.Run(t, func(t *testing.T) webhook.Inbox { return webhook.NewMemory() })
}

func openFile(t *testing.T, path string) *webhook.File {
	t.Helper()
	f, err := webhook.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestFile(t *testing.T) {
	inboxtest.Run(t, func(t *testing.T) webhook.Inbox {
		return openFile(t, filepath.Join(t.TempDir(), "inbox.jsonl"))
	})
}

// TestFileReopen: what Put returned for is there when the file is opened
// again, a torn last line (a crash mid-write) is cut off, and a line torn
// anywhere else is refused.
func TestFileReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "inbox.jsonl")
	f, err := webhook.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := []webhook.Record{
		{ID: "shopify-a", Source: "shopify", Body: []byte(`{"id":1}`), State: webhook.Held, Outcome: "held", Reason: webhook.ReasonUnknownSKU, Attempts: 1},
		{ID: "shopify-b", Source: "shopify", Body: []byte(`{"id":2}`), State: webhook.Done, Outcome: "posted", Attempts: 1},
		{ID: "shopify-a", Source: "shopify", State: webhook.Done, Outcome: "posted", Attempts: 2},
	}
	for i := range recs {
		if err := f.Put(ctx, &recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	snapshot := func(in webhook.Inbox) []webhook.Record {
		var out []webhook.Record
		in.Scan(ctx, func(r webhook.Record) error { out = append(out, r); return nil })
		return out
	}
	want := []webhook.Record{
		{ID: "shopify-a", Source: "shopify", Body: []byte(`{"id":1}`), State: webhook.Done, Outcome: "posted", Attempts: 2},
		{ID: "shopify-b", Source: "shopify", Body: []byte(`{"id":2}`), State: webhook.Done, Outcome: "posted", Attempts: 1},
	}
	if d := cmp.Diff(want, snapshot(openFile(t, path))); d != "" {
		t.Fatalf("reopened (-want +got):\n%s", d)
	}

	whole, _ := os.ReadFile(path)
	torn := append(append([]byte{}, whole...), `{"id":"shopify-c","source":"sho`...)
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	g := openFile(t, path)
	if d := cmp.Diff(want, snapshot(g)); d != "" {
		t.Fatalf("after a torn line (-want +got):\n%s", d)
	}
	c := webhook.Record{ID: "shopify-c", Source: "shopify", Body: []byte("{}"), State: webhook.Held, Outcome: "held", Attempts: 1}
	if err := g.Put(ctx, &c); err != nil {
		t.Fatal(err)
	}
	g.Close()
	if got := snapshot(openFile(t, path)); len(got) != 3 {
		t.Errorf("after the torn line was cut and a record put: %d records, want 3", len(got))
	}

	corrupt := append([]byte(`{"id":"shopify-x","sta`+"\n"), whole...)
	if err := os.WriteFile(path, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := webhook.OpenFile(path); err == nil {
		t.Error("a file torn before its last line was opened")
	}
}
