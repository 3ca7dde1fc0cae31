package postgres

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

var (
	_ ledger.Summer  = (*Store)(nil)
	_ ledger.Batcher = (*Store)(nil)
	_ ledger.Tailer  = (*Store)(nil)
	_ ledger.Volumer = (*Store)(nil)
)

// columns are the entries table's columns in the order rows are written
// and read.
var columns = []string{
	"position", "id", "stream", "seq", "type", "member", "currency", "amount", "effective_ns", "posted_ns",
	"order_platform", "order_store", "order_id", "revision_ns", "lock_known_ns", "lock_plan_id", "lock_plan_version",
	"placed_ns", "rule", "event_json", "event", "snapshot", "body", "refund",
	"replaced_platform", "replaced_store", "replaced_order_id",
	"volume_line_id", "volume_component", "pv", "qv", "cv", "net",
	"run", "run_params_id", "run_period_from_ns", "run_period_to_ns", "run_at_ns", "run_minimum", "run_holds",
	"withheld", "reason", "award", "carry", "close", "volume_customer",
}

// numericColumns are read as text: pgx's binary numeric drops the
// display scale, and "0.00" must come back with its two digits.
var numericColumns = map[string]bool{"amount": true, "pv": true, "qv": true, "cv": true, "net": true, "withheld": true}

func selectList(schema string) string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c
		switch {
		case numericColumns[c]:
			out[i] = c + "::text"
		case c == "snapshot":
			// The snapshot's bytes, which the event's are completed with.
			out[i] = "(SELECT json FROM " + table(schema, "snapshots") + " s WHERE s.hash = entries.snapshot)"
		}
	}
	return strings.Join(out, ", ")
}

type statements struct {
	entries  pgx.Identifier
	snapshot string
	sequence string
	reserve  string
	versions string
	version  string
	streams  string
	stream   string
	tail     string
	scan     string
	sum      string
	volumes  string
	after    string
}

func newStatements(schema string) statements {
	t := table(schema, "entries")
	sel := "SELECT " + selectList(schema) + " FROM " + t
	return statements{
		entries:  pgx.Identifier{schema, "entries"},
		snapshot: "INSERT INTO " + table(schema, "snapshots") + " (hash, json, snapshot) VALUES ($1, $2, $3::jsonb) ON CONFLICT (hash) DO NOTHING",
		sequence: table(schema, "entries_position_seq"),
		// Under the position lock: the stream's version, and n positions
		// reserved at once (setval after nextval, so the n values are
		// contiguous and no other appender can take one meanwhile).
		reserve: "SELECT (SELECT coalesce(max(seq), 0) FROM " + t + " WHERE stream = $1), setval($2::regclass, nextval($2::regclass) + $3 - 1)",
		// A batch's: the versions of its streams, then its positions.
		versions: "SELECT stream, max(seq) FROM " + t + " WHERE stream = ANY($1) GROUP BY stream",
		version:  "SELECT coalesce(max(seq), 0) FROM " + t + " WHERE stream = $1",
		stream:   sel + " WHERE stream = $1 ORDER BY seq",
		// bigint: a seq past any version (math.MaxInt) reads none.
		tail:    sel + " WHERE stream = $1 AND seq > $2::bigint ORDER BY seq",
		streams: sel + " WHERE stream = ANY($1) ORDER BY stream, seq",
		scan:    sel,
		sum:     "SELECT member, currency, sum(amount)::text FROM " + t,
		volumes: "SELECT member, sum(pv)::text, sum(qv)::text, sum(cv)::text, coalesce(sum(pv) FILTER (WHERE volume_customer <> ''), 0)::text FROM " + t,
		after:   sel + " WHERE position > $1 ORDER BY position LIMIT $2",
	}
}

// Append implements ledger.Store.
//
// Positions are assigned under a transaction-level advisory lock (one per
// schema) that is held until the append commits: the appender that takes
// the lock next reserves its positions only after this one's rows are
// visible. So positions increase in commit order, and a reader that sees
// an entry sees every entry with a smaller position. The lock serializes
// appends (their insert and commit, nothing before), which is the price of
// a gap-safe global order.
func (s *Store) Append(ctx context.Context, stream string, expectedVersion int, entries []ledger.Entry) error {
	if stream == "" {
		return fmt.Errorf("%w: empty stream name", ledger.ErrInvalidEntry)
	}
	rows := make([][]any, len(entries))
	snaps := make(map[[sha256.Size]byte][]byte)
	for i := range entries {
		e := &entries[i]
		if e.ID == "" || e.Type == 0 {
			return fmt.Errorf("%w: entry %d of stream %s has no id or no type", ledger.ErrInvalidEntry, i, stream)
		}
		r, err := encode(e, snaps)
		if err != nil {
			return fmt.Errorf("%w: entry %s of stream %s: %v", ledger.ErrInvalidEntry, e.ID, stream, err)
		}
		rows[i] = r
	}
	if len(entries) == 0 {
		var v int
		if err := s.pool.QueryRow(ctx, s.sql.version, stream).Scan(&v); err != nil {
			return fmt.Errorf("postgres: append to %s: %w", stream, err)
		}
		if v != expectedVersion {
			return fmt.Errorf("%w: stream %s is at version %d, not %d", ledger.ErrVersionConflict, stream, v, expectedVersion)
		}
		return nil
	}
	var first int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for h, js := range snaps {
			b.Queue(s.sql.snapshot, h[:], js, string(js))
		}
		b.Queue("SELECT pg_advisory_xact_lock($1, hashtext($2))", lockPosition, s.schema)
		var version int
		var last int64
		b.Queue(s.sql.reserve, stream, s.sql.sequence, len(entries)).QueryRow(func(r pgx.Row) error {
			return r.Scan(&version, &last)
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if version != expectedVersion {
			return fmt.Errorf("%w: stream %s is at version %d, not %d", ledger.ErrVersionConflict, stream, version, expectedVersion)
		}
		first = last - int64(len(entries)) + 1
		for i, r := range rows {
			r[0], r[2], r[3] = first+int64(i), stream, expectedVersion+i+1
		}
		_, err := tx.CopyFrom(ctx, s.sql.entries, columns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return appendError(stream, err)
	}
	for i := range entries {
		entries[i].Stream, entries[i].Seq, entries[i].Position = stream, expectedVersion+i+1, first+int64(i)
	}
	return nil
}

// AppendBatch implements ledger.Batcher: one transaction, one advisory
// lock as Append takes, one COPY of every stream's rows.
func (s *Store) AppendBatch(ctx context.Context, batch []ledger.Append) error {
	var n int
	streams := make([]string, len(batch))
	seen := make(map[string]bool, len(batch))
	for k, a := range batch {
		if a.Stream == "" {
			return fmt.Errorf("%w: empty stream name", ledger.ErrInvalidEntry)
		}
		if seen[a.Stream] {
			return fmt.Errorf("%w: stream %s twice in one batch", ledger.ErrInvalidEntry, a.Stream)
		}
		seen[a.Stream], streams[k] = true, a.Stream
		n += len(a.Entries)
	}
	rows := make([][]any, 0, n)
	snaps := make(map[[sha256.Size]byte][]byte)
	for _, a := range batch {
		for i := range a.Entries {
			e := &a.Entries[i]
			if e.ID == "" || e.Type == 0 {
				return fmt.Errorf("%w: entry %d of stream %s has no id or no type", ledger.ErrInvalidEntry, i, a.Stream)
			}
			r, err := encode(e, snaps)
			if err != nil {
				return fmt.Errorf("%w: entry %s of stream %s: %v", ledger.ErrInvalidEntry, e.ID, a.Stream, err)
			}
			rows = append(rows, r)
		}
	}
	var first int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for h, js := range snaps {
			b.Queue(s.sql.snapshot, h[:], js, string(js))
		}
		b.Queue("SELECT pg_advisory_xact_lock($1, hashtext($2))", lockPosition, s.schema)
		versions := make(map[string]int, len(batch))
		b.Queue(s.sql.versions, streams).Query(func(rs pgx.Rows) error {
			var stream string
			var v int
			_, err := pgx.ForEachRow(rs, []any{&stream, &v}, func() error { versions[stream] = v; return nil })
			return err
		})
		var last int64
		if n > 0 {
			b.Queue("SELECT setval($1::regclass, nextval($1::regclass) + $2 - 1)", s.sql.sequence, n).QueryRow(func(r pgx.Row) error {
				return r.Scan(&last)
			})
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		for _, a := range batch {
			if v := versions[a.Stream]; v != a.ExpectedVersion {
				return fmt.Errorf("%w: stream %s is at version %d, not %d", ledger.ErrVersionConflict, a.Stream, v, a.ExpectedVersion)
			}
		}
		if n == 0 {
			return nil
		}
		first = last - int64(n) + 1
		j := 0
		for _, a := range batch {
			for i := range a.Entries {
				r := rows[j]
				r[0], r[2], r[3] = first+int64(j), a.Stream, a.ExpectedVersion+i+1
				j++
			}
		}
		_, err := tx.CopyFrom(ctx, s.sql.entries, columns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return appendError("a batch of "+strconv.Itoa(len(batch))+" streams", err)
	}
	j := 0
	for _, a := range batch {
		for i := range a.Entries {
			a.Entries[i].Stream, a.Entries[i].Seq, a.Entries[i].Position = a.Stream, a.ExpectedVersion+i+1, first+int64(j)
			j++
		}
	}
	return nil
}

// appendError maps a constraint or encoding failure to the ledger's errors.
func appendError(stream string, err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		if errors.Is(err, ledger.ErrVersionConflict) {
			return err
		}
		return fmt.Errorf("postgres: append to %s: %w", stream, err)
	}
	switch {
	case pg.Code == "23505" && pg.ConstraintName == "entries_id_key":
		return fmt.Errorf("%w: %s (%s)", ledger.ErrDuplicateID, pg.Detail, stream)
	case pg.Code == "23505" && pg.ConstraintName == "entries_stream_seq_key":
		return fmt.Errorf("%w: stream %s: %s", ledger.ErrVersionConflict, stream, pg.Detail)
	case pg.Code == "22021" || pg.Code == "22P05":
		// Text PostgreSQL cannot hold: invalid UTF-8, or a NUL.
		return fmt.Errorf("%w: stream %s: %s", ledger.ErrInvalidEntry, stream, pg.Message)
	}
	return fmt.Errorf("postgres: append to %s: %w", stream, err)
}

// Stream implements ledger.Store.
func (s *Store) Stream(ctx context.Context, stream string) ([]ledger.Entry, int, error) {
	var out []ledger.Entry
	err := s.query(ctx, func(e *ledger.Entry) error { out = append(out, *e); return nil }, s.sql.stream, stream)
	if err != nil {
		return nil, 0, err
	}
	return out, len(out), nil
}

// StreamAfter implements ledger.Tailer: the stream's version and its
// entries after seq, in one round trip, each served by the (stream, seq)
// index. The version is read first: when the tail, read next, has
// entries, the last one is at the version then, which is returned.
func (s *Store) StreamAfter(ctx context.Context, stream string, seq int) ([]ledger.Entry, int, error) {
	var version int
	var out []ledger.Entry
	b := &pgx.Batch{}
	b.Queue(s.sql.version, stream).QueryRow(func(r pgx.Row) error { return r.Scan(&version) })
	b.Queue(s.sql.tail, stream, seq).Query(func(rows pgx.Rows) error {
		return each(rows, func(e *ledger.Entry) error { out = append(out, *e); return nil })
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, 0, fmt.Errorf("postgres: %w", err)
	}
	if len(out) > 0 {
		version = out[len(out)-1].Seq
	}
	return out, version, nil
}

// Streams implements ledger.Batcher with one query.
func (s *Store) Streams(ctx context.Context, streams []string) ([][]ledger.Entry, error) {
	read := make(map[string][]ledger.Entry, len(streams))
	err := s.query(ctx, func(e *ledger.Entry) error {
		read[e.Stream] = append(read[e.Stream], *e)
		return nil
	}, s.sql.streams, streams)
	if err != nil {
		return nil, err
	}
	out := make([][]ledger.Entry, len(streams))
	for i, st := range streams {
		out[i] = read[st]
	}
	return out, nil
}

// Scan implements ledger.Store. f becomes a WHERE clause; rows are read
// one at a time as fn takes them. fn runs while a connection is held, so
// it must not wait for another Scan of a pool with one connection.
func (s *Store) Scan(ctx context.Context, f ledger.Filter, fn func(*ledger.Entry) error) error {
	w := filterSQL(&f)
	return s.query(ctx, fn, s.sql.scan+w.clause()+" ORDER BY stream, seq", w.args...)
}

// Sum implements ledger.Summer with one aggregate query: numeric sums,
// exact, one row per member and currency.
func (s *Store) Sum(ctx context.Context, f ledger.Filter) ([]ledger.Balance, error) {
	w := filterSQL(&f)
	rows, err := s.pool.Query(ctx, s.sql.sum+w.clause()+" GROUP BY member, currency", w.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	var out []ledger.Balance
	for rows.Next() {
		var b ledger.Balance
		var amount string
		if err := rows.Scan(&b.Member, &b.Currency, &amount); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		if b.Amount, err = decimal.NewFromString(amount); err != nil {
			return nil, fmt.Errorf("postgres: sum of %s %s: %w", b.Member, b.Currency, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// Sorted here, by bytes as Go compares strings: ORDER BY would sort
	// by the database's collation.
	slices.SortFunc(out, func(a, b ledger.Balance) int {
		return cmp.Or(cmp.Compare(a.Member, b.Member), cmp.Compare(a.Currency, b.Currency))
	})
	return out, nil
}

// Volumes implements ledger.Volumer with one aggregate query: numeric
// sums, exact, one row per member.
func (s *Store) Volumes(ctx context.Context, per ledger.Period, postedBy time.Time, refunds commission.RefundPeriod) ([]commission.PersonalVolume, error) {
	f := ledger.Filter{Types: []ledger.Type{ledger.TypeVolume}, From: per.From, To: per.To, PostedBy: postedBy}
	byPlaced := refunds == commission.RefundsInOrderPeriod
	if byPlaced {
		f.To = time.Time{}
	}
	w := filterSQL(&f)
	w.add("volume_line_id IS NOT NULL")
	if byPlaced {
		// Placed, or Effective when Placed is zero (NULL).
		w.between("coalesce(placed_ns, effective_ns)", per.From, per.To)
	}
	rows, err := s.pool.Query(ctx, s.sql.volumes+w.clause()+" GROUP BY member", w.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	var out []commission.PersonalVolume
	for rows.Next() {
		var v commission.PersonalVolume
		var sums [4]string
		if err := rows.Scan(&v.Member, &sums[0], &sums[1], &sums[2], &sums[3]); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		for i, d := range []*decimal.Decimal{&v.PV, &v.QV, &v.CV, &v.CustomerPV} {
			if *d, err = decimal.NewFromString(sums[i]); err != nil {
				return nil, fmt.Errorf("postgres: volumes of %s: %w", v.Member, err)
			}
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// Sorted here, by bytes as Go compares strings, as Sum's are.
	slices.SortFunc(out, func(a, b commission.PersonalVolume) int { return cmp.Compare(a.Member, b.Member) })
	return out, nil
}

// After implements ledger.Store.
func (s *Store) After(ctx context.Context, position int64, limit int) ([]ledger.Entry, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	var out []ledger.Entry
	err := s.query(ctx, func(e *ledger.Entry) error { out = append(out, *e); return nil }, s.sql.after, position, limit)
	return out, err
}

func (s *Store) query(ctx context.Context, fn func(*ledger.Entry) error, sql string, args ...any) error {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	return each(rows, fn)
}

// each decodes rows of entries, calling fn for each.
func each(rows pgx.Rows, fn func(*ledger.Entry) error) error {
	var r row
	dest := r.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		e, err := r.entry()
		if err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// filterSQL translates f into a WHERE clause with its arguments. A zero
// instant is stored as NULL and is before every other.
func filterSQL(f *ledger.Filter) *where {
	w := new(where)
	if f.Member != "" {
		// member <> '' too, which a generic plan cannot infer from the
		// parameter: it lets the partial index on member serve the query.
		w.add("member = "+w.arg(f.Member), "member <> ''")
	}
	if f.Currency != "" {
		w.add("currency = " + w.arg(f.Currency))
	}
	if f.Run != "" {
		// run <> '' lets the partial index on run serve the query.
		w.add("run = "+w.arg(f.Run), "run <> ''")
	}
	if len(f.Types) > 0 {
		// The types as constants, not a parameter: a plan can then use
		// the partial index of payouts (type = 4) when f selects them.
		ts := make([]string, len(f.Types))
		for i, t := range f.Types {
			ts[i] = strconv.Itoa(int(t))
		}
		w.add("type IN (" + strings.Join(ts, ", ") + ")")
	}
	w.between("effective_ns", f.From, f.To)
	if !f.PostedBy.IsZero() {
		switch {
		case f.PostedBy.After(maxInstant):
		case f.PostedBy.Before(minInstant):
			w.add("posted_ns IS NULL")
		default:
			w.add("(posted_ns <= " + w.arg(f.PostedBy.UnixNano()) + " OR posted_ns IS NULL)")
		}
	}
	return w
}

// where is a WHERE clause's conditions, joined by AND, and their
// arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(conds ...string) { w.conds = append(w.conds, conds...) }

// clause returns " WHERE" and the conditions, or "" when there are none.
func (w *where) clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// arg returns the placeholder of argument v.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// between selects the instants in [from, to) of col, a column of
// nanoseconds where NULL is the zero instant; a zero bound is open.
func (w *where) between(col string, from, to time.Time) {
	if !from.IsZero() {
		switch {
		case from.Before(minInstant):
			w.add(col + " IS NOT NULL")
		case from.After(maxInstant):
			w.add("false")
		default:
			w.add(col + " >= " + w.arg(from.UnixNano()))
		}
	}
	if !to.IsZero() {
		// A zero instant is before to; with from set it is excluded
		// already, and the range alone lets an index serve the scan.
		orNull := ""
		if from.IsZero() {
			orNull = " OR " + col + " IS NULL"
		}
		switch {
		case to.After(maxInstant):
		case to.Before(minInstant) || to.Equal(minInstant):
			w.add(col + " IS NULL")
		default:
			w.add("(" + col + " < " + w.arg(to.UnixNano()) + orNull + ")")
		}
	}
}

// The instants a store can hold: those int64 nanoseconds since the Unix
// epoch can (1677-09-21 to 2262-04-11), and the zero instant.
var (
	minInstant = time.Unix(0, math.MinInt64).UTC()
	maxInstant = time.Unix(0, math.MaxInt64).UTC()
)

func instant(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	if t.Before(minInstant) || t.After(maxInstant) {
		return nil, fmt.Errorf("instant %s is outside the years 1678 to 2261", t.Format(time.RFC3339Nano))
	}
	return t.UnixNano(), nil
}

func numeric(d decimal.Decimal) pgtype.Numeric {
	return pgtype.Numeric{Int: d.Coefficient(), Exp: d.Exponent(), Valid: true}
}

// encode returns e's row; position, stream and seq are filled in by Append.
// An event's calc_snapshot goes into snaps, by its hash, and the row keeps
// the event's JSON without it.
func encode(e *ledger.Entry, snaps map[[sha256.Size]byte][]byte) ([]any, error) {
	var err error
	at := func(t time.Time) any {
		v, ierr := instant(t)
		if ierr != nil && err == nil {
			err = ierr
		}
		return v
	}
	r := make([]any, len(columns))
	r[1], r[4], r[5], r[6], r[7] = e.ID, int16(e.Type), e.Member, e.Currency, numeric(e.Amount)
	r[8], r[9] = at(e.Effective), at(e.Posted)
	r[10], r[11], r[12], r[13] = string(e.Order.Platform), e.Order.Store, e.Order.OrderID, at(e.Revision)
	r[14], r[15], r[16] = at(e.Lock.Known), e.Lock.PlanID, int32(e.Lock.PlanVersion)
	r[17], r[18] = at(e.Placed), e.Rule
	if e.Event != nil {
		b, snap, serr := splitSnapshot(e.Event)
		if serr != nil {
			return nil, serr
		}
		r[19], r[20] = b, b
		if snap != nil {
			h := sha256.Sum256(snap)
			snaps[h] = snap
			r[21] = h[:]
		}
	}
	if e.Body != nil {
		b, merr := e.Body.MarshalJSON()
		if merr != nil {
			return nil, fmt.Errorf("body: %w", merr)
		}
		r[22] = b
	}
	if e.Refund != nil {
		b, merr := e.Refund.MarshalJSON()
		if merr != nil {
			return nil, fmt.Errorf("refund: %w", merr)
		}
		r[23] = b
	}
	r[24], r[25], r[26] = string(e.ReplacedBy.Platform), e.ReplacedBy.Store, e.ReplacedBy.OrderID
	if v := e.Volume; v != nil {
		r[27], r[28], r[29], r[30], r[31], r[32] = v.LineID, v.Component, numeric(v.PV), numeric(v.QV), numeric(v.CV), numeric(v.Net)
		if v.Customer != "" { // NULL: the member's own, as every row before migration 0007
			r[45] = v.Customer
		}
	}
	r[33] = e.Run
	if p := e.RunParams; p != nil {
		r[34], r[35], r[36], r[37] = p.ID, at(p.Period.From), at(p.Period.To), at(p.At)
		var min map[string]string
		if p.Minimum != nil {
			min = make(map[string]string, len(p.Minimum))
			for c, d := range p.Minimum {
				min[c] = d.String()
			}
		}
		mb, merr := json.Marshal(min)
		if merr != nil {
			return nil, merr
		}
		hb, merr := json.Marshal(p.Holds)
		if merr != nil {
			return nil, merr
		}
		r[38], r[39] = mb, hb
	}
	r[40], r[41] = numeric(e.Withheld), e.Reason
	if e.Award != nil {
		// Only the engine makes a valid award; one made by hand (a zero
		// kind, say) would be stored and then refused on every read of
		// its stream, so it is read back here and refused instead.
		b := e.Award.AppendJSON(nil)
		var back commission.Award
		if uerr := back.UnmarshalJSON(b); uerr != nil {
			return nil, fmt.Errorf("award: %w", uerr)
		}
		r[42] = b
	}
	if c := e.Carry; c != nil {
		b, merr := json.Marshal(wireCarry{Rule: c.Rule, Member: c.Member, Leg: int(c.Leg), Volume: c.Volume.String()})
		if merr != nil {
			return nil, merr
		}
		r[43] = b
	}
	if c := e.Close; c != nil {
		b, merr := json.Marshal(wireClose{Plan: c.Plan, Version: c.Version, Period: c.Period,
			From: c.From.UTC().Format(time.RFC3339Nano), To: c.To.UTC().Format(time.RFC3339Nano), Known: c.Known.UTC().Format(time.RFC3339Nano)})
		if merr != nil {
			return nil, merr
		}
		r[44] = b
	}
	return r, err
}

// wireCarry and wireClose are a period close's carry and close record as
// the award, carry and close columns hold them.
type wireCarry struct {
	Rule   string `json:"rule"`
	Member string `json:"member"`
	Leg    int    `json:"leg"`
	Volume string `json:"volume"`
}

type wireClose struct {
	Plan    string `json:"plan"`
	Version int    `json:"version"`
	Period  string `json:"period"`
	From    string `json:"from"`
	To      string `json:"to"`
	Known   string `json:"known"`
}

// row holds one entries row as scanned.
type row struct {
	position                             int64
	id, stream                           string
	seq                                  int32
	typ                                  int16
	member, currency                     string
	amount                               pgtype.Text
	effective, posted                    pgtype.Int8
	orderPlatform, orderStore, orderID   string
	revision, lockKnown                  pgtype.Int8
	lockPlanID                           string
	lockPlanVersion                      int32
	placed                               pgtype.Int8
	rule                                 string
	eventJSON, event, snapshot           []byte
	body, refund                         []byte
	replPlatform, replStore, replOrderID string
	volLine, volComponent                pgtype.Text
	pv, qv, cv, net                      pgtype.Text
	run                                  string
	runID                                pgtype.Text
	runFrom, runTo, runAt                pgtype.Int8
	runMinimum, runHolds                 []byte
	withheld                             pgtype.Text
	reason                               string
	award, carry, close                  []byte
	volCustomer                          pgtype.Text
}

func (r *row) dest() []any {
	return []any{&r.position, &r.id, &r.stream, &r.seq, &r.typ, &r.member, &r.currency, &r.amount, &r.effective, &r.posted,
		&r.orderPlatform, &r.orderStore, &r.orderID, &r.revision, &r.lockKnown, &r.lockPlanID, &r.lockPlanVersion,
		&r.placed, &r.rule, &r.eventJSON, &r.event, &r.snapshot, &r.body, &r.refund,
		&r.replPlatform, &r.replStore, &r.replOrderID,
		&r.volLine, &r.volComponent, &r.pv, &r.qv, &r.cv, &r.net,
		&r.run, &r.runID, &r.runFrom, &r.runTo, &r.runAt, &r.runMinimum, &r.runHolds,
		&r.withheld, &r.reason, &r.award, &r.carry, &r.close, &r.volCustomer}
}

func fromInstant(v pgtype.Int8) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(0, v.Int64).UTC()
}

func fromNumeric(n pgtype.Text) (decimal.Decimal, error) {
	if !n.Valid {
		return decimal.Decimal{}, nil
	}
	return decimal.NewFromString(n.String)
}

// entry decodes the row. Nothing it returns shares memory with r.
func (r *row) entry() (ledger.Entry, error) {
	e := ledger.Entry{
		ID: r.id, Position: r.position, Stream: r.stream, Seq: int(r.seq), Type: ledger.Type(r.typ),
		Member: r.member, Currency: r.currency, Effective: fromInstant(r.effective), Posted: fromInstant(r.posted),
		Order:    normalize.Key{Platform: normalize.Platform(r.orderPlatform), Store: r.orderStore, OrderID: r.orderID},
		Revision: fromInstant(r.revision),
		Lock:     commission.Lock{Known: fromInstant(r.lockKnown), PlanID: r.lockPlanID, PlanVersion: int(r.lockPlanVersion)},
		Placed:   fromInstant(r.placed), Rule: r.rule,
		ReplacedBy: normalize.Key{Platform: normalize.Platform(r.replPlatform), Store: r.replStore, OrderID: r.replOrderID},
		Run:        r.run, Reason: r.reason,
	}
	fail := func(what string, err error) (ledger.Entry, error) {
		return ledger.Entry{}, fmt.Errorf("postgres: entry %s: %s: %w", r.id, what, err)
	}
	var err error
	if e.Amount, err = fromNumeric(r.amount); err != nil {
		return fail("amount", err)
	}
	if e.Withheld, err = fromNumeric(r.withheld); err != nil {
		return fail("withheld", err)
	}
	if r.eventJSON != nil {
		e.Event = new(commission.Event)
		if err := e.Event.UnmarshalJSON(joinSnapshot(r.eventJSON, r.snapshot)); err != nil {
			return fail("event", err)
		}
	}
	if r.body != nil {
		e.Body = new(normalize.Order)
		if err := e.Body.UnmarshalJSON(r.body); err != nil {
			return fail("body", err)
		}
	}
	if r.refund != nil {
		e.Refund = new(normalize.Refund)
		if err := e.Refund.UnmarshalJSON(r.refund); err != nil {
			return fail("refund", err)
		}
	}
	if r.volLine.Valid {
		// NULL (the member's own purchase, and every row written before
		// migration 0007) reads as "".
		v := &ledger.Volume{LineID: r.volLine.String, Component: r.volComponent.String, Customer: r.volCustomer.String}
		for _, f := range []struct {
			d *decimal.Decimal
			n pgtype.Text
		}{{&v.PV, r.pv}, {&v.QV, r.qv}, {&v.CV, r.cv}, {&v.Net, r.net}} {
			if *f.d, err = fromNumeric(f.n); err != nil {
				return fail("volume", err)
			}
		}
		e.Volume = v
	}
	if r.runMinimum != nil {
		p := &ledger.Run{ID: r.runID.String, Period: ledger.Period{From: fromInstant(r.runFrom), To: fromInstant(r.runTo)}, At: fromInstant(r.runAt)}
		var min map[string]string
		if err := json.Unmarshal(r.runMinimum, &min); err != nil {
			return fail("run minimum", err)
		}
		if min != nil {
			p.Minimum = make(map[string]decimal.Decimal, len(min))
			for c, s := range min {
				if p.Minimum[c], err = decimal.NewFromString(s); err != nil {
					return fail("run minimum", err)
				}
			}
		}
		if err := json.Unmarshal(r.runHolds, &p.Holds); err != nil {
			return fail("run holds", err)
		}
		e.RunParams = p
	}
	if r.award != nil {
		e.Award = new(commission.Award)
		if err := e.Award.UnmarshalJSON(r.award); err != nil {
			return fail("award", err)
		}
	}
	if r.carry != nil {
		var w wireCarry
		if err := json.Unmarshal(r.carry, &w); err != nil {
			return fail("carry", err)
		}
		v, err := decimal.NewFromString(w.Volume)
		if err != nil {
			return fail("carry", err)
		}
		e.Carry = &commission.Carry{Rule: w.Rule, Member: w.Member, Leg: hierarchy.Leg(w.Leg), Volume: v}
	}
	if r.close != nil {
		var w wireClose
		if err := json.Unmarshal(r.close, &w); err != nil {
			return fail("close", err)
		}
		c := &ledger.Close{Plan: w.Plan, Version: w.Version, Period: w.Period}
		for _, t := range []struct {
			s   string
			dst *time.Time
		}{{w.From, &c.From}, {w.To, &c.To}, {w.Known, &c.Known}} {
			if *t.dst, err = time.Parse(time.RFC3339Nano, t.s); err != nil {
				return fail("close", err)
			}
		}
		e.Close = c
	}
	return e, nil
}

// snapshotKey is what an event's JSON says before its calc_snapshot, which
// AppendJSON writes last.
const snapshotKey = `,"calc_snapshot":`

// splitSnapshot returns ev's JSON without its calc_snapshot, and the
// snapshot's JSON (nil for an event without one).
func splitSnapshot(ev *commission.Event) (event, snapshot []byte, err error) {
	b := ev.AppendJSON(nil)
	if ev.Snapshot == nil {
		return b, nil, nil
	}
	snap, err := ev.Snapshot.MarshalJSON()
	if err != nil {
		return nil, nil, err
	}
	tail := snapshotKey + string(snap) + "}"
	if !strings.HasSuffix(string(b), tail) {
		return nil, nil, fmt.Errorf("event %s: its JSON does not end with its calc_snapshot", ev.ID)
	}
	event = append(b[:len(b)-len(tail):len(b)-len(tail)], '}')
	return event, snap, nil
}

// joinSnapshot is the event's JSON as the engine wrote it: event with
// snapshot put back, or event alone when it had none.
func joinSnapshot(event, snapshot []byte) []byte {
	if snapshot == nil {
		return event
	}
	out := make([]byte, 0, len(event)+len(snapshotKey)+len(snapshot))
	out = append(out, event[:len(event)-1]...)
	out = append(out, snapshotKey...)
	out = append(out, snapshot...)
	return append(out, '}')
}
