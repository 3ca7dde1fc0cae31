package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// appendBatch checks a Batcher, on a store that has it: every stream's
// entries appended with their seqs and positions, or none; several
// streams read at once.
func appendBatch(t *testing.T, s ledger.Store) {
	b, ok := s.(ledger.Batcher)
	if !ok {
		t.Skip("the store is not a ledger.Batcher")
	}
	jan := ledgerworld.Jan
	if err := s.Append(ctx, "s", 0, []ledger.Entry{entry("s1", "A", "1", jan)}); err != nil {
		t.Fatal(err)
	}
	batch := []ledger.Append{
		{Stream: "s", ExpectedVersion: 1, Entries: []ledger.Entry{entry("s2", "A", "2", jan), entry("s3", "B", "3", jan)}},
		{Stream: "t", ExpectedVersion: 0, Entries: []ledger.Entry{entry("t1", "C", "4", jan)}},
		{Stream: "u", ExpectedVersion: 0},
	}
	if err := b.AppendBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var got []string
	var last int64
	for _, a := range batch {
		for _, e := range a.Entries {
			got = append(got, fmt.Sprintf("%s %d %s", e.Stream, e.Seq, e.ID))
			if e.Position <= last {
				t.Errorf("entry %s at position %d, after %d", e.ID, e.Position, last)
			}
			last = e.Position
		}
	}
	if d := cmp.Diff([]string{"s 2 s2", "s 3 s3", "t 1 t1"}, got); d != "" {
		t.Errorf("appended (-want +got):\n%s", d)
	}
	if es, v := mustStream(t, s, "s"); v != 3 || es[2].ID != "s3" {
		t.Errorf("stream s at version %d, want 3 ending with s3", v)
	}
	read, err := b.Streams(ctx, []string{"t", "nothing", "s"})
	if err != nil {
		t.Fatal(err)
	}
	var ids [][]string
	for _, es := range read {
		ids = append(ids, []string{})
		for _, e := range es {
			ids[len(ids)-1] = append(ids[len(ids)-1], e.ID)
		}
	}
	if d := cmp.Diff([][]string{{"t1"}, {}, {"s1", "s2", "s3"}}, ids); d != "" {
		t.Errorf("Streams t, nothing, s (-want +got):\n%s", d)
	}
	refused := []struct {
		name  string
		batch []ledger.Append
		want  error
	}{
		{"one stream at another version", []ledger.Append{
			{Stream: "v", Entries: []ledger.Entry{entry("v1", "A", "1", jan)}},
			{Stream: "t", ExpectedVersion: 0, Entries: []ledger.Entry{entry("t2", "A", "1", jan)}}}, ledger.ErrVersionConflict},
		{"an id in the store", []ledger.Append{
			{Stream: "v", Entries: []ledger.Entry{entry("v1", "A", "1", jan)}},
			{Stream: "t", ExpectedVersion: 1, Entries: []ledger.Entry{entry("s2", "A", "1", jan)}}}, ledger.ErrDuplicateID},
		{"an id in two streams of the batch", []ledger.Append{
			{Stream: "v", Entries: []ledger.Entry{entry("v1", "A", "1", jan)}},
			{Stream: "w", Entries: []ledger.Entry{entry("v1", "A", "1", jan)}}}, ledger.ErrDuplicateID},
		{"a stream twice", []ledger.Append{
			{Stream: "v", Entries: []ledger.Entry{entry("v1", "A", "1", jan)}},
			{Stream: "v", ExpectedVersion: 1, Entries: []ledger.Entry{entry("v2", "A", "1", jan)}}}, ledger.ErrInvalidEntry},
		{"an entry without id", []ledger.Append{
			{Stream: "v", Entries: []ledger.Entry{entry("v1", "A", "1", jan)}},
			{Stream: "w", Entries: []ledger.Entry{{Type: ledger.TypeAdjustment}}}}, ledger.ErrInvalidEntry},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			if err := b.AppendBatch(ctx, c.batch); !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
			for _, st := range []string{"v", "w"} {
				if es, v := mustStream(t, s, st); v != 0 {
					t.Errorf("refused batch stored %d entries in %s", len(es), st)
				}
			}
			if _, v := mustStream(t, s, "t"); v != 1 {
				t.Errorf("refused batch left t at version %d, want 1", v)
			}
		})
	}
	if err := b.AppendBatch(ctx, []ledger.Append{{Stream: "v", Entries: []ledger.Entry{entry("v1", "A", "1", jan)}}}); err != nil {
		t.Errorf("v1 was never stored, appending it: %v", err)
	}
}

// deliveries returns a replay of five orders' lives, interleaved, with
// stale and duplicate bodies and one order delivered twice in a row.
func deliveries(t *testing.T, w *ledgerworld.World) []normalize.Order {
	var lives [][]normalize.Order
	for i := range 5 {
		lives = append(lives, w.Life(t, fmt.Sprint(2001+i), "C", ledgerworld.Placed.Add(time.Duration(i)*time.Hour)))
	}
	var out []normalize.Order
	for _, r := range []int{1, 0, 2, 2, 3, 1} {
		for i := range lives {
			out = append(out, lives[i][r])
		}
	}
	return append(out, lives[2][3], lives[2][3])
}

// render lists every entry of s as "stream seq id member amount".
func render(t *testing.T, s ledger.Store) []string {
	t.Helper()
	var out []string
	err := s.Scan(ctx, ledger.Filter{}, func(e *ledger.Entry) error {
		out = append(out, fmt.Sprintf("%s %d %s %s %s", e.Stream, e.Seq, e.ID, e.Member, e.Amount.StringFixed(2)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// postAll checks that PostAll posts what Post does one order at a time:
// the same outcomes, the same entries in the same streams, the same
// balances; and that posting the same deliveries again appends nothing.
func postAll(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	in := deliveries(t, w)
	at := ledgerworld.Placed.Add(time.Hour)
	want := ledger.New(ledger.NewMemory(), w.Engine)
	var outcomes []string
	for i := range in {
		r, err := want.Post(ctx, &in[i], at)
		if err != nil {
			t.Fatal(err)
		}
		outcomes = append(outcomes, r.Outcome.String())
	}
	var batches []int
	if b, ok := s.(ledger.Batcher); ok {
		s = &counting{Batcher: b, streams: &batches}
	}
	l := ledger.New(s, w.Engine)
	res, err := l.PostAll(ctx, in, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(ledger.Batcher); ok {
		// The paid, first-refund and second-refund rounds, each cut
		// short by the next round's first delivery of an order waiting.
		if d := cmp.Diff([]int{5, 5, 5}, batches); d != "" {
			t.Errorf("streams per batch (-want +got):\n%s", d)
		}
	}
	var got []string
	for _, r := range res {
		got = append(got, r.Outcome.String())
		positions(t, s, r.Entries)
	}
	if d := cmp.Diff(outcomes, got); d != "" {
		t.Errorf("outcomes (-one by one +PostAll):\n%s", d)
	}
	entries := render(t, want.Store())
	if d := cmp.Diff(entries, render(t, s)); d != "" {
		t.Errorf("entries (-one by one +PostAll):\n%s", d)
	}
	if d := cmp.Diff(ledgerworld.Balances(t, want, far), ledgerworld.Balances(t, l, far)); d != "" {
		t.Errorf("balances (-one by one +PostAll):\n%s", d)
	}
	res, err = l.PostAll(ctx, in, far)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Outcome == ledger.Posted || len(r.Entries) > 0 {
			t.Errorf("delivery %d again: %s, %d entries", i, r.Outcome, len(r.Entries))
		}
	}
	if d := cmp.Diff(entries, render(t, s)); d != "" {
		t.Errorf("entries after posting again (-want +got):\n%s", d)
	}
}

// counting is a Batcher that records how many streams each batch has.
type counting struct {
	ledger.Batcher
	streams *[]int
}

func (c *counting) AppendBatch(ctx context.Context, batch []ledger.Append) error {
	*c.streams = append(*c.streams, len(batch))
	return c.Batcher.AppendBatch(ctx, batch)
}

// postAllStops checks that PostAll stops at the first order Post refuses,
// having posted every order before it (those waiting in a batch too), and
// none after.
func postAllStops(t *testing.T, s ledger.Store) {
	w := ledgerworld.NewWorld(t)
	in := deliveries(t, w)[:8]
	const bad = 3 // in the first round: three paid orders wait in a batch
	in[bad].Currency = ""
	at := ledgerworld.Placed.Add(time.Hour)
	want := ledger.New(ledger.NewMemory(), w.Engine)
	for i := range in[:bad] {
		if _, err := want.Post(ctx, &in[i], at); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ledger.New(s, w.Engine).PostAll(ctx, in, at)
	var held *ledger.HeldError
	if !errors.As(err, &held) || held.Order != in[bad].Key() || len(res) != bad+1 {
		t.Fatalf("%d results, error %v; want %d, held order %s", len(res), err, bad+1, in[bad].Key())
	}
	for i, r := range res[:bad] {
		if r.Outcome != ledger.Posted || len(r.Entries) != 11 {
			t.Errorf("order %d: %s, %d entries; want posted, 11", i, r.Outcome, len(r.Entries))
			continue
		}
		positions(t, s, r.Entries)
	}
	if d := cmp.Diff(render(t, want.Store()), render(t, s)); d != "" {
		t.Errorf("entries (-those before, one by one +PostAll):\n%s", d)
	}
}

// overtaken is a Batcher whose first batch another writer overtakes: it
// posts first the order of the batch's first stream.
type overtaken struct {
	ledger.Batcher
	l     *ledger.Ledger
	first *normalize.Order
	done  bool
}

func (o *overtaken) AppendBatch(ctx context.Context, batch []ledger.Append) error {
	if !o.done {
		o.done = true
		if _, err := o.l.Post(ctx, o.first, ledgerworld.Placed); err != nil {
			return err
		}
	}
	return o.Batcher.AppendBatch(ctx, batch)
}

// postAllOvertaken checks that a batch another writer overtook is posted
// one order at a time, each exactly once.
func postAllOvertaken(t *testing.T, s ledger.Store) {
	b, ok := s.(ledger.Batcher)
	if !ok {
		t.Skip("the store is not a ledger.Batcher")
	}
	w := ledgerworld.NewWorld(t)
	in := deliveries(t, w)
	at := ledgerworld.Placed.Add(time.Hour)
	want := ledger.New(ledger.NewMemory(), w.Engine)
	for i := range in {
		if _, err := want.Post(ctx, &in[i], at); err != nil {
			t.Fatal(err)
		}
	}
	ot := &overtaken{Batcher: b, l: ledger.New(s, w.Engine), first: &in[0]}
	res, err := ledger.New(ot, w.Engine).PostAll(ctx, in, at)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != ledger.Duplicate || res[1].Outcome != ledger.Posted {
		t.Errorf("outcomes %s, %s; want duplicate (the other writer posted it), posted", res[0].Outcome, res[1].Outcome)
	}
	if d := cmp.Diff(render(t, want.Store()), render(t, s)); d != "" {
		t.Errorf("entries (-one by one +PostAll overtaken):\n%s", d)
	}
}
