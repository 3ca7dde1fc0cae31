package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uplinehq/upline/hierarchy"
)

var _ hierarchy.Streamer = (*Genealogy)(nil)

// lockGenealogy is the advisory lock class ("upge") appends to the
// genealogy's change log take; the key is hashtext(schema).
const lockGenealogy = 0x75706765

// changeColumns are the genealogy_changes columns in the order rows are
// written and read.
var changeColumns = []string{
	"position", "op", "member", "kind", "sponsor", "parent", "leg", "status", "paid_as", "highest", "code",
	"effective_ns", "recorded_ns",
}

// Genealogy is a hierarchy.Store on PostgreSQL: the genealogy's change log,
// one row per hierarchy.Change in the table genealogy_changes. Rebuild a
// hierarchy.Genealogy from it with hierarchy.Open, record changes with
// hierarchy.Genealogy.Record, and follow changes other processes append
// with After. It is safe for concurrent use; appends are serialized, reads
// never wait for them.
type Genealogy struct {
	pool   *pgxpool.Pool
	schema string
	table  pgx.Identifier
	last   string
	after  string
	count  string
}

// Genealogy returns the genealogy's change log in s's schema, over s's
// connection pool (Open and New have already created its table).
func (s *Store) Genealogy() *Genealogy {
	t := table(s.schema, "genealogy_changes")
	sel := "SELECT op, member, kind, sponsor, parent, leg, status, paid_as, highest, code, effective_ns, recorded_ns FROM " + t
	return &Genealogy{
		pool:   s.pool,
		schema: s.schema,
		table:  pgx.Identifier{s.schema, "genealogy_changes"},
		last:   "SELECT position, recorded_ns FROM " + t + " ORDER BY position DESC LIMIT 1",
		after:  sel + " WHERE position > $1 ORDER BY position LIMIT $2",
		count:  "SELECT coalesce(max(position), 0) FROM " + t,
	}
}

// Append implements hierarchy.Store; see AppendContext.
func (g *Genealogy) Append(changes ...hierarchy.Change) error {
	return g.AppendContext(context.Background(), changes...)
}

// AppendContext adds changes at the end of the log, all or none, in one
// transaction. Their recording instants must not decrease, from the last
// change already in the log on (a zero instant is before every other);
// otherwise the error wraps hierarchy.ErrOutOfOrder. A field the table
// cannot hold (an instant outside 1678–2261, text with a NUL or invalid
// UTF-8, an Op, Kind or Status out of range) is refused with an error
// wrapping hierarchy.ErrInvalid.
//
// A change's position is assigned while the transaction holds an advisory
// lock it keeps until it commits, as max(position) + 1: positions are
// dense, and increase in commit order, so a reader that sees position p
// sees every position below it.
func (g *Genealogy) AppendContext(ctx context.Context, changes ...hierarchy.Change) error {
	if len(changes) == 0 {
		return nil
	}
	rows := make([][]any, len(changes))
	prev := int64(math.MinInt64)
	for i := range changes {
		c := &changes[i]
		eff, err := instant(c.Effective)
		if err != nil {
			return fmt.Errorf("%w: genealogy change %d (%s %s): effective %v", hierarchy.ErrInvalid, i, c.Op, c.Member, err)
		}
		rec, err := instant(c.Recorded)
		if err != nil {
			return fmt.Errorf("%w: genealogy change %d (%s %s): recorded %v", hierarchy.ErrInvalid, i, c.Op, c.Member, err)
		}
		if k := recordedKey(rec); k < prev {
			return fmt.Errorf("%w: genealogy change %d (%s %s) recorded at %s, before the change appended before it",
				hierarchy.ErrOutOfOrder, i, c.Op, c.Member, c.Recorded.Format(time.RFC3339Nano))
		} else {
			prev = k
		}
		rows[i] = []any{nil, int16(c.Op), c.Member, int16(c.Kind), c.Sponsor, c.Parent, int32(c.Leg),
			int16(c.Status), int32(c.PaidAs), int32(c.Highest), c.Code, eff, rec}
	}
	first := recordedKey(rows[0][12])
	err := pgx.BeginFunc(ctx, g.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", lockGenealogy, g.schema); err != nil {
			return err
		}
		var n int64
		var last pgtype.Int8
		if err := tx.QueryRow(ctx, g.last).Scan(&n, &last); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if last.Valid && first < last.Int64 {
			return fmt.Errorf("%w: genealogy change %s %s recorded at %s, before the log's last change (%s)",
				hierarchy.ErrOutOfOrder, changes[0].Op, changes[0].Member, changes[0].Recorded.Format(time.RFC3339Nano),
				time.Unix(0, last.Int64).UTC().Format(time.RFC3339Nano))
		}
		for i, r := range rows {
			r[0] = n + 1 + int64(i)
		}
		_, err := tx.CopyFrom(ctx, g.table, changeColumns, pgx.CopyFromRows(rows))
		return err
	})
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "22021", "22P05", "23514":
			// Invalid UTF-8, a NUL, a CHECK constraint.
			return fmt.Errorf("%w: genealogy change: %s", hierarchy.ErrInvalid, pg.Message)
		}
	}
	if errors.Is(err, hierarchy.ErrOutOfOrder) {
		return err
	}
	return fmt.Errorf("postgres: genealogy append: %w", err)
}

// recordedKey orders stored recording instants: NULL (the zero instant)
// before every other.
func recordedKey(v any) int64 {
	if ns, ok := v.(int64); ok {
		return ns
	}
	return math.MinInt64
}

// Load implements hierarchy.Store: every change, in the order appended.
func (g *Genealogy) Load() ([]hierarchy.Change, error) {
	return g.After(context.Background(), 0, 0)
}

// Len returns the number of changes in the log: the position of the last.
func (g *Genealogy) Len(ctx context.Context) (int, error) {
	var n int64
	if err := g.pool.QueryRow(ctx, g.count).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: genealogy: %w", err)
	}
	return int(n), nil
}

// After returns the changes after the first n, in order, at most limit of
// them (all when limit <= 0). A hierarchy.Genealogy that has applied n
// changes follows the log by applying After(ctx, n, limit): positions are
// dense and visible in order, so nothing is skipped. The changes returned
// are one consistent prefix of the log, read in one statement, however
// many are appended meanwhile.
func (g *Genealogy) After(ctx context.Context, n, limit int) ([]hierarchy.Change, error) {
	var out []hierarchy.Change
	if limit <= 0 {
		// A hint for a whole load: a million changes grow no slice twice.
		if total, err := g.Len(ctx); err == nil && total > n {
			out = make([]hierarchy.Change, 0, total-n)
		}
	}
	err := g.each(ctx, n, limit, func(c hierarchy.Change) error { out = append(out, c); return nil })
	return out, err
}

// Stream implements hierarchy.Streamer: hierarchy.Open builds the
// genealogy while the rows arrive, and never holds the log whole.
func (g *Genealogy) Stream(fn func(hierarchy.Change) error) error {
	return g.each(context.Background(), 0, 0, fn)
}

// each passes fn the changes after the first n, at most limit of them
// (all when limit <= 0), in one statement, as they arrive.
func (g *Genealogy) each(ctx context.Context, n, limit int, fn func(hierarchy.Change) error) error {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := g.pool.Query(ctx, g.after, n, lim)
	if err != nil {
		return fmt.Errorf("postgres: genealogy: %w", err)
	}
	defer rows.Close()
	// Decoded from the raw binary values: pgx's Scan costs more than the
	// database does for the same rows, and a start reads millions of them.
	// Text is the same bytes in either format; the numbers must be binary.
	raw := true
	for i, f := range rows.FieldDescriptions() {
		if f.DataTypeOID != pgtype.TextOID {
			raw = raw && f.Format == pgx.BinaryFormatCode
		} else {
			raw = raw && (i == 1 || i == 3 || i == 4 || i == 9)
		}
	}
	for rows.Next() {
		var c hierarchy.Change
		if !raw {
			var (
				op, kind, status     int16
				leg, paidAs, highest int32
				eff, rec             pgtype.Int8
			)
			if err := rows.Scan(&op, &c.Member, &kind, &c.Sponsor, &c.Parent, &leg, &status, &paidAs, &highest, &c.Code, &eff, &rec); err != nil {
				return fmt.Errorf("postgres: genealogy: %w", err)
			}
			c.Op, c.Kind, c.Status = hierarchy.Op(op), hierarchy.Kind(kind), hierarchy.Status(status)
			c.Leg, c.PaidAs, c.Highest = hierarchy.Leg(leg), hierarchy.Rank(paidAs), hierarchy.Rank(highest)
			c.Effective, c.Recorded = fromInstant(eff), fromInstant(rec)
		} else if err := decodeChange(rows.RawValues(), &c); err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: genealogy: %w", err)
	}
	return nil
}

// decodeChange decodes a row of binary values, in the order After selects
// them: int2 op, text member, int2 kind, text sponsor and parent, int4
// leg, int2 status, int4 paid_as and highest, text code, int8 effective_ns
// and recorded_ns.
func decodeChange(v [][]byte, c *hierarchy.Change) error {
	if len(v) != 12 || len(v[0]) != 2 || len(v[2]) != 2 || len(v[5]) != 4 || len(v[6]) != 2 || len(v[7]) != 4 || len(v[8]) != 4 {
		return fmt.Errorf("postgres: genealogy: unexpected row layout")
	}
	c.Op = hierarchy.Op(binary.BigEndian.Uint16(v[0]))
	c.Member = string(v[1])
	c.Kind = hierarchy.Kind(binary.BigEndian.Uint16(v[2]))
	c.Sponsor, c.Parent = string(v[3]), string(v[4])
	c.Leg = hierarchy.Leg(binary.BigEndian.Uint32(v[5]))
	c.Status = hierarchy.Status(binary.BigEndian.Uint16(v[6]))
	c.PaidAs, c.Highest = hierarchy.Rank(binary.BigEndian.Uint32(v[7])), hierarchy.Rank(binary.BigEndian.Uint32(v[8]))
	c.Code = string(v[9])
	var ok bool
	if c.Effective, ok = rawInstant(v[10]); !ok {
		return fmt.Errorf("postgres: genealogy: unexpected row layout")
	}
	if c.Recorded, ok = rawInstant(v[11]); !ok {
		return fmt.Errorf("postgres: genealogy: unexpected row layout")
	}
	return nil
}

// rawInstant decodes a binary int8 of nanoseconds; NULL is the zero
// instant.
func rawInstant(b []byte) (time.Time, bool) {
	switch {
	case b == nil:
		return time.Time{}, true
	case len(b) == 8:
		return time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC(), true
	}
	return time.Time{}, false
}
