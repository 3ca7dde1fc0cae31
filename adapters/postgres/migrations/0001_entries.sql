-- The ledger's entries: one row per ledger.Entry, each typed field in its
-- own column. Instants are integer nanoseconds since the Unix epoch (UTC),
-- because timestamptz keeps only microseconds and the ledger's revision
-- instants differ by one nanosecond; NULL is the zero instant. Amounts are
-- numeric, exact. Empty strings are stored as they are.

CREATE SEQUENCE entries_position_seq AS bigint;

-- The calc_snapshots of the events, each once: by the SHA-256 of its JSON,
-- the exact bytes (json) and the same as jsonb for queries. An order's
-- stored size so grows with its events plus its lines, not with events ×
-- lines.
CREATE TABLE snapshots (
	hash     bytea NOT NULL,
	json     bytea NOT NULL,
	snapshot jsonb NOT NULL,
	CONSTRAINT snapshots_pkey PRIMARY KEY (hash)
);

CREATE TABLE entries (
	position     bigint   NOT NULL,
	id           text     NOT NULL,
	stream       text     NOT NULL,
	seq          integer  NOT NULL CHECK (seq > 0),
	type         smallint NOT NULL CHECK (type > 0),
	member       text     NOT NULL,
	currency     text     NOT NULL,
	amount       numeric  NOT NULL,
	effective_ns bigint,
	posted_ns    bigint,

	-- An order's entries.
	order_platform text NOT NULL,
	order_store    text NOT NULL,
	order_id       text NOT NULL,
	revision_ns    bigint,
	lock_known_ns  bigint,
	lock_plan_id   text    NOT NULL,
	lock_plan_version integer NOT NULL,
	placed_ns      bigint,
	rule           text    NOT NULL,

	-- A commission or correction: the event's JSON exactly as the engine
	-- wrote it but for its calc_snapshot, and the same as jsonb for
	-- queries. The snapshot is the calculation's, shared by all its
	-- events: it is kept once, in snapshots, and snapshot names it.
	event_json bytea,
	event      jsonb,
	snapshot   bytea,
	-- A revision's body and a refund, in the canonical JSON form.
	body       jsonb,
	refund     jsonb,

	replaced_platform text NOT NULL,
	replaced_store    text NOT NULL,
	replaced_order_id text NOT NULL,

	-- A volume entry: NULL volume_line_id when the entry has none.
	volume_line_id   text,
	volume_component text,
	pv  numeric,
	qv  numeric,
	cv  numeric,
	net numeric,

	-- A payout run: run_minimum is NULL when the entry carries no run
	-- parameters; the JSON null when it carries a nil map.
	run                text NOT NULL,
	run_params_id      text,
	run_period_from_ns bigint,
	run_period_to_ns   bigint,
	run_at_ns          bigint,
	run_minimum        jsonb,
	run_holds          jsonb,

	withheld numeric NOT NULL,
	reason   text    NOT NULL,

	CONSTRAINT entries_pkey PRIMARY KEY (position),
	CONSTRAINT entries_id_key UNIQUE (id),
	CONSTRAINT entries_stream_seq_key UNIQUE (stream, seq)
);

-- One member's entries (Balance, Statement) cost in proportion to them.
CREATE INDEX entries_member_idx ON entries (member, currency, effective_ns) WHERE member <> '';
-- A period's entries (Totals, reconciliation).
CREATE INDEX entries_effective_idx ON entries (effective_ns);

-- History cannot be rewritten: the database itself refuses to change or
-- remove an entry, whatever the client.
CREATE FUNCTION entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'upline: ledger entries are append-only: % refused', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END
$$;

-- A statement-level trigger fires even when no row matches, so an
-- attempt is refused on an empty table too.
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON entries
	FOR EACH STATEMENT EXECUTE FUNCTION entries_refuse_change();
CREATE TRIGGER snapshots_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON snapshots
	FOR EACH STATEMENT EXECUTE FUNCTION entries_refuse_change();
