// Package postgres keeps upline's ledger in PostgreSQL. It is a module of
// its own, so that importing the core never downloads a database driver.
//
// Open connects, brings the schema up to date and returns a ledger.Store:
//
//	store, err := postgres.Open(ctx, "postgres://app@db/upline", postgres.Options{Schema: "upline"})
//	if err != nil { ... }
//	defer store.Close()
//	l := ledger.New(store, engine)
//
// New does the same over a *pgxpool.Pool the caller already has.
//
// # Schema
//
// Everything lives in one schema (Options.Schema, "upline" by default), so
// several ledgers, or tests, share a database. The schema is created by
// embedded, numbered migrations (migrations/NNNN_what.sql), recorded in
// schema_migrations and applied under a session advisory lock, so that
// processes starting together apply each one once. A schema migrated by a
// newer version of this package is refused with ErrSchemaTooNew.
//
// The entries table holds one row per ledger.Entry, each typed field in a
// column of its own: amounts and volumes numeric, ids text, instants int8
// nanoseconds since the Unix epoch (timestamptz keeps only microseconds;
// NULL is the zero instant), a commission event both as the exact bytes
// the engine wrote (event_json) and as jsonb (event) — both without its
// calc_snapshot, which is the calculation's and shared by its events: the
// snapshots table keeps each once, by its SHA-256 (entries.snapshot), so an
// order's stored size grows with its events plus its lines, not events ×
// lines; reading an event puts it back byte for byte — and a body and a
// refund as jsonb in their canonical JSON form. Unique constraints on id and on
// (stream, seq) make a duplicate id and a lost race errors the ledger
// understands (ledger.ErrDuplicateID, ledger.ErrVersionConflict). A
// statement trigger refuses every UPDATE, DELETE and TRUNCATE of entries:
// history cannot be rewritten, by a bug or by an operator.
//
// # The webhook inbox
//
// Store.Inbox returns the webhook.Inbox of package webhook kept in the same
// schema (the inbox table), over the same pool: a webhook server on
// PostgreSQL keeps its deliveries and its ledger in one database. A row is
// a delivery: what arrived (id, source, topic, delivery_id, header as
// jsonb, body as bytea, received_ns), which a row trigger refuses to
// change, and what delivering it last did (state 'held' or 'done',
// outcome, order_key, reason, detail, attempts, updated_ns), which each
// re-drive updates in place — a done row is never held again, and the
// trigger refuses that too. Updated rather than versioned: the inbox is a
// work queue; the money a delivery leads to is in the append-only entries,
// exactly once. Held reads a partial index of the rows held now, so it
// costs what it returns, not what the inbox ever received; Scan reads a
// page at a time.
//
// # Views for analysts
//
// Migration 0005 adds views that trace every cent in SQL without knowing
// how entries are encoded (set search_path to the schema, or qualify):
//
//   - entry_types (type, name, money): each ledger.Type's number and name,
//     and whether it is money (commission, correction, payout, adjustment).
//   - statements: one row per money entry — position, id, member,
//     currency, type, amount, effective_ns and effective, posted_ns and
//     posted, order_key ("platform/store/id"), rule, run, reason.
//   - balances: per member and currency, balance = earned - clawed_back +
//     adjusted - paid over every money entry, and how many there are.
//   - events: every commission and correction with its calc_snapshot put
//     back (event jsonb) and on its own (calc_snapshot jsonb), joined from
//     snapshots on entries.snapshot = snapshots.hash.
//
// Instants are given twice: the exact *_ns and a timestamptz truncated to
// microseconds. A balance at an instant, or a statement for a period, is
// a filter on statements.effective_ns:
//
//	SELECT member, currency, sum(amount) FROM upline.statements
//	WHERE effective_ns <= $1 GROUP BY member, currency;
//
// # Positions
//
// An entry's Position comes from a sequence, reserved and written while
// the appending transaction holds a transaction-level advisory lock that
// it keeps until it commits. The next appender reserves positions only
// after the previous one's rows are visible, so a reader of Store.After
// that has seen position p will never later see a new entry below p.
// Appends are serialized for their insert and commit; reads never wait.
package postgres
