package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/uplinehq/upline/adapters/webhook"
)

// Inbox is a webhook.Inbox in the store's schema (the inbox table): a
// delivery is committed before Put returns, so a webhook server killed
// at any instant loses nothing it acknowledged. It is safe for concurrent
// use by any number of goroutines and processes.
type Inbox struct {
	s   *Store
	sql inboxStatements
}

var _ webhook.Inbox = (*Inbox)(nil)

// Inbox returns the webhook inbox kept beside the store's ledger, over
// the same connection pool.
func (s *Store) Inbox() *Inbox { return &Inbox{s: s, sql: newInboxStatements(s.schema)} }

// scanPage is how many records Scan reads at a time. It holds no
// connection while fn runs, so fn may use the inbox, whatever the pool's
// size.
const scanPage = 500

const inboxColumns = "id, source, topic, delivery_id, header, body, received_ns, " +
	"state, outcome, order_key, reason, detail, attempts, updated_ns"

type inboxStatements struct {
	put, get, held, heldFor, page string
}

func newInboxStatements(schema string) inboxStatements {
	t := table(schema, "inbox")
	sel := "SELECT position, " + inboxColumns + " FROM " + t
	return inboxStatements{
		// A known id changes only what delivering did, and a done row
		// never goes back to held.
		put: "INSERT INTO " + t + " AS i (" + inboxColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)" +
			" ON CONFLICT (id) DO UPDATE SET state = excluded.state, outcome = excluded.outcome, order_key = excluded.order_key," +
			" reason = excluded.reason, detail = excluded.detail, attempts = excluded.attempts, updated_ns = excluded.updated_ns" +
			" WHERE i.state <> 'done' OR excluded.state = 'done'",
		get:     sel + " WHERE id = $1",
		held:    sel + " WHERE state = 'held' ORDER BY position",
		heldFor: sel + " WHERE state = 'held' AND reason = $1 ORDER BY position",
		page:    sel + " WHERE position > $1 ORDER BY position LIMIT $2",
	}
}

// Put implements webhook.Inbox: the record is committed when it returns
// nil.
func (x *Inbox) Put(ctx context.Context, r *webhook.Record) error {
	if r.ID == "" {
		return fmt.Errorf("postgres: inbox: a record needs an ID")
	}
	state, err := r.State.MarshalText()
	if err != nil {
		return fmt.Errorf("postgres: inbox: record %s: %w", r.ID, err)
	}
	var header []byte
	if r.Header != nil {
		if header, err = json.Marshal(r.Header); err != nil {
			return fmt.Errorf("postgres: inbox: record %s: %w", r.ID, err)
		}
	}
	received, err := instant(r.Received)
	if err != nil {
		return fmt.Errorf("postgres: inbox: record %s: received %w", r.ID, err)
	}
	updated, err := instant(r.Updated)
	if err != nil {
		return fmt.Errorf("postgres: inbox: record %s: updated %w", r.ID, err)
	}
	_, err = x.s.pool.Exec(ctx, x.sql.put, r.ID, r.Source, r.Topic, r.DeliveryID, header, r.Body, received,
		string(state), r.Outcome, r.Order, r.Reason, r.Detail, r.Attempts, updated)
	if err != nil {
		return fmt.Errorf("postgres: inbox: put %s: %w", r.ID, err)
	}
	return nil
}

// Get implements webhook.Inbox.
func (x *Inbox) Get(ctx context.Context, id string) (webhook.Record, bool, error) {
	recs, _, err := x.query(ctx, x.sql.get, id)
	if err != nil || len(recs) == 0 {
		return webhook.Record{}, false, err
	}
	return recs[0], true, nil
}

// Held implements webhook.Inbox.
func (x *Inbox) Held(ctx context.Context, reason string) ([]webhook.Record, error) {
	var recs []webhook.Record
	var err error
	if reason == "" {
		recs, _, err = x.query(ctx, x.sql.held)
	} else {
		recs, _, err = x.query(ctx, x.sql.heldFor, reason)
	}
	return recs, err
}

// Scan implements webhook.Inbox. It reads the records a page at a time,
// so it never loads the inbox whole, and fn may call x's other methods.
func (x *Inbox) Scan(ctx context.Context, fn func(webhook.Record) error) error {
	var after int64
	for {
		recs, last, err := x.query(ctx, x.sql.page, after, scanPage)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(recs) < scanPage {
			return nil
		}
		after = last
	}
}

// query returns the records sql selects and the last one's position.
func (x *Inbox) query(ctx context.Context, sql string, args ...any) ([]webhook.Record, int64, error) {
	rows, err := x.s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: inbox: %w", err)
	}
	defer rows.Close()
	var (
		out               []webhook.Record
		position          int64
		header            []byte
		state             string
		received, updated pgtype.Int8
	)
	for rows.Next() {
		var r webhook.Record
		header = nil
		if err := rows.Scan(&position, &r.ID, &r.Source, &r.Topic, &r.DeliveryID, &header, &r.Body, &received,
			&state, &r.Outcome, &r.Order, &r.Reason, &r.Detail, &r.Attempts, &updated); err != nil {
			return nil, 0, fmt.Errorf("postgres: inbox: %w", err)
		}
		if header != nil {
			r.Header = http.Header{}
			if err := json.Unmarshal(header, &r.Header); err != nil {
				return nil, 0, fmt.Errorf("postgres: inbox: record %s: header: %w", r.ID, err)
			}
		}
		if err := r.State.UnmarshalText([]byte(state)); err != nil {
			return nil, 0, fmt.Errorf("postgres: inbox: record %s: %w", r.ID, err)
		}
		r.Received, r.Updated = fromInstant(received), fromInstant(updated)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("postgres: inbox: %w", err)
	}
	return out, position, nil
}
