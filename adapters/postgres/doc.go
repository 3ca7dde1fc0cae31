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
// Store is a ledger.Summer: balances and a payout run's earnings are one
// GROUP BY with numeric sums, exact, and a member's balance and statement
// are served by the (member, currency, effective_ns) index, so their cost
// follows the member's entries, not the table (BenchmarkBalance).
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
