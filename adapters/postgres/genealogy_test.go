package postgres_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uplinehq/upline/adapters/postgres"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/hierarchy/hierarchytest"
)

func TestGenealogyConformance(t *testing.T) {
	requireServer(t)
	hierarchytest.Run(t, func() hierarchy.Store { return newStore(t).Genealogy() })
}

func day(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }

// Every field comes back as appended, instants to the nanosecond, from
// another connection pool.
func TestGenealogyRoundTrip(t *testing.T) {
	schema := schemaFor(t)
	log := open(t, schema).Genealogy()
	ns := time.Date(2261, 12, 31, 23, 59, 59, 999_999_999, time.UTC)
	early := time.Date(1678, 1, 1, 0, 0, 0, 1, time.UTC)
	want := []hierarchy.Change{
		{Op: hierarchy.OpStatus, Member: "zero instants, stored as NULL"},
		{Op: hierarchy.OpEnroll, Member: "Zoë 🌳", Kind: hierarchy.Retail, Sponsor: "s", Parent: "p", Leg: 65535,
			Status: hierarchy.Terminated, PaidAs: 65534, Highest: 65535, Effective: early, Recorded: day(1).Add(time.Nanosecond)},
		{Op: hierarchy.OpPlace, Member: "b", Effective: day(1).Add(-time.Nanosecond), Recorded: day(1).Add(2 * time.Nanosecond)},
		{Op: hierarchy.OpCode, Member: "b", Code: "B-1", Effective: ns, Recorded: ns},
	}
	if err := log.Append(want...); err != nil {
		t.Fatal(err)
	}
	// The simple protocol reads every column as text, and takes the
	// store's other decoding path.
	cfg, err := pgxpool.ParseConfig(dsn())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	simple, err := postgres.New(ctx, pool, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*postgres.Store{"binary": open(t, schema), "simple protocol": simple} {
		got, err := s.Genealogy().Load()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: Load: %d changes, want %d", name, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: change %d:\n got %+v\nwant %+v", name, i, got[i], want[i])
			}
		}
	}
}

func TestGenealogyRefuses(t *testing.T) {
	tests := []struct {
		name   string
		before []hierarchy.Change
		append []hierarchy.Change
		want   error
	}{
		{"recorded before the log's last", []hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a", Recorded: day(2)}},
			[]hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a", Recorded: day(1)}}, hierarchy.ErrOutOfOrder},
		{"recorded out of order within one append", nil,
			[]hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a", Recorded: day(2)}, {Op: hierarchy.OpStatus, Member: "a", Recorded: day(1)}}, hierarchy.ErrOutOfOrder},
		{"zero recorded after a real one", []hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a", Recorded: day(2)}},
			[]hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a"}}, hierarchy.ErrOutOfOrder},
		{"instant after 2262", nil,
			[]hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a", Effective: time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC)}}, hierarchy.ErrInvalid},
		{"NUL in an id", nil, []hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a\x00"}}, hierarchy.ErrInvalid},
		{"invalid UTF-8", nil, []hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a\xff"}}, hierarchy.ErrInvalid},
		{"unknown op", nil, []hierarchy.Change{{Op: 7, Member: "a"}}, hierarchy.ErrInvalid},
		{"unknown status", nil, []hierarchy.Change{{Op: hierarchy.OpStatus, Member: "a", Status: 5}}, hierarchy.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := newStore(t).Genealogy()
			if err := log.Append(tt.before...); err != nil {
				t.Fatal(err)
			}
			err := log.Append(append(tt.append, hierarchy.Change{Op: hierarchy.OpStatus, Member: "ok", Recorded: day(3)})...)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Append = %v, want %v", err, tt.want)
			}
			got, err := log.Load()
			if err != nil || len(got) != len(tt.before) {
				t.Fatalf("after a refused append the log holds %d changes (%v), want %d", len(got), err, len(tt.before))
			}
		})
	}
}

// The database refuses to rewrite the log, even on an empty table and
// through a connection that bypasses the store.
func TestGenealogyAppendOnly(t *testing.T) {
	s := newStore(t)
	for _, q := range []string{"TRUNCATE genealogy_changes", "DELETE FROM genealogy_changes"} {
		if _, err := s.Pool().Exec(ctx, "SET search_path TO "+s.Schema()+"; "+q); !refused(err) {
			t.Errorf("%s on an empty log: %v, want refused", q, err)
		}
	}
	if err := s.Genealogy().Append(hierarchy.Change{Op: hierarchy.OpEnroll, Member: "a", Kind: hierarchy.Distributor, Effective: day(1), Recorded: day(1)}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE genealogy_changes SET sponsor = 'x'",
		"DELETE FROM genealogy_changes WHERE member = 'a'",
		"TRUNCATE genealogy_changes",
	} {
		if _, err := s.Pool().Exec(ctx, "SET search_path TO "+s.Schema()+"; "+q); !refused(err) {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	if got, _ := s.Genealogy().Load(); len(got) != 1 || got[0].Sponsor != "" {
		t.Errorf("the log after the attempts: %+v", got)
	}
}

func refused(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "42501"
}

// One process records changes through its Genealogy while another
// follows the log with After and applies them under a write lock, and 4
// readers walk uplines under the read lock meanwhile. The follower ends
// with exactly the writer's genealogy.
func TestGenealogyFollowWhileReading(t *testing.T) {
	schema := schemaFor(t)
	writerLog := open(t, schema).Genealogy()
	followerLog := open(t, schema).Genealogy()
	const members = 300
	at := func(i int) time.Time { return day(1).Add(time.Duration(i) * time.Second) }
	id := func(i int) string { return fmt.Sprint("m", i) }

	var writer hierarchy.Genealogy
	if err := writer.Record(writerLog, hierarchy.Change{Op: hierarchy.OpEnroll, Member: id(0), Kind: hierarchy.Distributor, Effective: at(0), Recorded: at(0)}); err != nil {
		t.Fatal(err)
	}
	follower, err := hierarchy.Open(followerLog)
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu   sync.RWMutex
		wg   sync.WaitGroup
		done = make(chan struct{})
		errs = make(chan error, 8)
	)
	wg.Go(func() {
		defer close(done)
		for i := 1; i < members; i++ {
			c := hierarchy.Change{Op: hierarchy.OpEnroll, Member: id(i), Kind: hierarchy.Distributor, Sponsor: id(i / 2), Effective: at(i), Recorded: at(i)}
			if err := writer.Record(writerLog, c); err != nil {
				errs <- err
				return
			}
			if i%10 == 0 {
				if err := writer.Record(writerLog, hierarchy.Change{Op: hierarchy.OpRank, Member: id(i / 10), PaidAs: 1, Highest: 1, Effective: at(i), Recorded: at(i)}); err != nil {
					errs <- err
					return
				}
			}
		}
	})
	wg.Go(func() {
		for finished := false; ; {
			select {
			case <-done:
				finished = true
			default:
			}
			mu.RLock()
			n := follower.Changes()
			mu.RUnlock()
			cs, err := followerLog.After(ctx, n, 17)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			for _, c := range cs {
				if err := follower.Apply(c); err != nil {
					errs <- err
				}
			}
			mu.Unlock()
			if finished && len(cs) == 0 {
				return
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				mu.RLock()
				snap := follower.Snapshot(at(members))
				last := hierarchy.Member(follower.Len() - 1)
				up, err := snap.Upline(last)
				levels := 0
				for err == nil {
					if _, ok := up.Next(); !ok {
						break
					}
					levels++
				}
				mu.RUnlock()
				if err != nil {
					errs <- err
					return
				}
				if want := bitsBelow(int(last)); levels != want {
					errs <- fmt.Errorf("member %d has %d ancestors, want %d", last, levels, want)
					return
				}
				time.Sleep(100 * time.Microsecond)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if follower.Len() != members || follower.Changes() != writer.Changes() {
		t.Fatalf("follower: %d members, %d changes; writer: %d members, %d changes", follower.Len(), follower.Changes(), writer.Len(), writer.Changes())
	}
	snap := follower.Snapshot(at(members))
	for i := range members / 10 {
		m, _ := follower.Lookup(id(i))
		r, err := snap.Ranks(m)
		want := hierarchy.Ranks{}
		if i > 0 {
			want = hierarchy.Ranks{PaidAs: 1, Highest: 1}
		}
		if err != nil || r != want {
			t.Errorf("%s: ranks %+v, %v; want %+v", id(i), r, err, want)
		}
	}
	reopened, err := hierarchy.Open(open(t, schema).Genealogy())
	if err != nil || reopened.Changes() != writer.Changes() {
		t.Fatalf("reopened: %v, %d changes, want %d", err, reopened.Changes(), writer.Changes())
	}
}

// bitsBelow is the number of ancestors of member i when each member's
// sponsor is i/2: the levels of a binary heap above it.
func bitsBelow(i int) int {
	n := 0
	for ; i > 0; i /= 2 {
		n++
	}
	return n
}

var _ hierarchy.Store = (*postgres.Genealogy)(nil)
