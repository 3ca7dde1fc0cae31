// Package postgres keeps upline's ledger and genealogy in PostgreSQL. It is
// a module of its own, so that importing the core never downloads a
// database driver.
//
// Open connects, brings the schema up to date and returns a ledger.Store;
// its Genealogy is the genealogy's change log, a hierarchy.Store:
//
//	store, err := postgres.Open(ctx, "postgres://app@db/upline", postgres.Options{Schema: "upline"})
//	if err != nil { ... }
//	defer store.Close()
//	l := ledger.New(store, engine)
//	g, err := hierarchy.Open(store.Genealogy()) // rebuilt from the log
//	err = g.Record(store.Genealogy(), change)  // checked, stored, applied
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
// lines; reading an event puts it back byte for byte — a body and a
// refund as jsonb in their canonical JSON form, and a period close's
// award (calc_snapshot included), carry and close record as jsonb. Unique constraints on id and on
// (stream, seq) make a duplicate id and a lost race errors the ledger
// understands (ledger.ErrDuplicateID, ledger.ErrVersionConflict). A
// statement trigger refuses every UPDATE, DELETE and TRUNCATE of entries:
// history cannot be rewritten, by a bug or by an operator.
//
// # An application role
//
// Let the schema's owner migrate it (Open, once per upgrade) and run the
// application as a role that can only read and append. Open and New
// create nothing in a schema that is up to date, so this role needs no
// right to create:
//
//	CREATE ROLE upline_app LOGIN PASSWORD '...';
//	GRANT USAGE ON SCHEMA upline TO upline_app;
//	GRANT SELECT ON upline.schema_migrations TO upline_app;
//	GRANT SELECT, INSERT ON upline.entries, upline.snapshots TO upline_app;
//	GRANT USAGE, UPDATE ON SEQUENCE upline.entries_position_seq TO upline_app;
//
// (UPDATE on the sequence is for setval, which reserves an append's
// positions at once.) The database then refuses the role's UPDATE, DELETE
// and TRUNCATE of entries for want of the privilege, and the trigger
// refuses them even if it is granted them by mistake
// (TestHistoryCannotBeRewrittenByTheApplication). The genealogy log and
// the inbox, when used, need SELECT and INSERT on genealogy_changes, and
// SELECT, INSERT and UPDATE on inbox.
//
// Store is a ledger.Batcher: Ledger.PostAll reads a batch's streams in
// one query and appends its entries in one transaction, under one
// advisory lock, with one COPY (BenchmarkPostAll, against COPY of the
// same rows).
//
// Store is a ledger.Summer: balances and a payout run's earnings are one
// GROUP BY with numeric sums, exact, and a member's balance and statement
// are served by the (member, currency, effective_ns) index, so their cost
// follows the member's entries, not the table (BenchmarkBalance).
//
// Store is a ledger.Tailer: StreamAfter reads a stream's version and the
// entries appended after a version the caller holds in one round trip,
// both served by the (stream, seq) index, so a reader that keeps a
// stream's state pays for what is new, not for the whole stream. A
// payout run reads the payouts stream's version so, finds an earlier run
// with its id through a partial index on run, sums the payouts from a
// partial index of them (both migration 0005), and sums the earnings: it
// never reads the runs before it row by row (BenchmarkPayout).
//
// Store is a ledger.Volumer: a period close's volumes are one GROUP BY
// member with numeric sums, exact, over the period's volume entries read
// from the effective_ns index or, when refunds count in the order's
// period, from the index of volume entries by placing instant (migration
// 0008), so a close reads its period, not the table.
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
// Migration 0004 adds views that trace every cent in SQL without knowing
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
//
// # Genealogy
//
// The genealogy_changes table is the genealogy's change log: one row per
// hierarchy.Change, each field in a typed column (op, kind, status as
// int2; leg and ranks as int4; ids and the code as text, "" when unused;
// effective_ns and recorded_ns as int8 nanoseconds, NULL the zero
// instant). A change's position is its 1-based place in the log, assigned
// as max + 1 under a transaction-level advisory lock held until commit:
// positions are dense and become visible in order, so a
// hierarchy.Genealogy that has applied n changes (its Changes) follows the
// log with After(ctx, n, limit) and skips nothing. Appends refuse a
// recording instant before the log's last (hierarchy.ErrOutOfOrder), and a
// statement trigger refuses every UPDATE, DELETE and TRUNCATE.
//
// At start, hierarchy.Open(store.Genealogy()) rebuilds the genealogy;
// Genealogy is a hierarchy.Streamer, so the rows are applied as they
// arrive and the log is never held whole (BenchmarkOpenGenealogy1M: 1M
// members, 2.01M changes). While readers calculate against it, new changes
// come in two ways: the process that writes records them with
// hierarchy.Genealogy.Record under its write lock; any other process polls
// After and applies what it returns under its own write lock. Queries of a
// hierarchy.Genealogy may run together but not with Apply, so the lock is
// the caller's: a sync.RWMutex, readers holding the read lock for one
// calculation. Record checks a change against the writer's genealogy
// only: let one process record changes, or give writers a lock of their
// own, or two writers may each append a change the other's makes invalid.
//
// # The catalog stays in files
//
// The catalog (sku.LoadJSON, sku.LoadCSV) has no store here, on purpose.
// It is small (a company's product list, loaded whole, so there is no
// start-up cost to save and no log to follow), and it is authored ahead
// of time as effective-dated versions that take effect later, which
// belongs in a reviewed file under version control beside the plan, where
// its history is the repository's. What a payment depended on is already
// in the database: every commission event's calc_snapshot names the SKU
// version of each line it applied, and the volume entries carry each
// line's PV, QV, CV and net, so every cent is traced in SQL without the
// catalog. To change it, deploy the new file and load it again; entries
// already posted never change, and their snapshots name the versions
// they used.
package postgres
