-- The webhook inbox (adapters/webhook.Inbox): one row per authentic
-- delivery, recorded before the handler acknowledges it.
--
-- A row has two parts. What arrived (id, source, topic, delivery_id,
-- header, body, received_ns) is written once and never changes: a trigger
-- refuses any UPDATE of it. What delivering it last did (state, outcome,
-- order_key, reason, detail, attempts, updated_ns) is updated in place by
-- every re-delivery and re-drive, and a done row is never held again.
--
-- Updated in place rather than kept as an append-only table of versions:
-- the inbox is a work queue, not the books. The money a delivery leads to
-- is in entries, append-only and exactly once by entry id; the inbox only
-- says whether a delivery still waits for an operator. In place, Held is a
-- scan of a small partial index of the rows held now, and Get one primary
-- key lookup, however many deliveries were ever received; a version table
-- would need "the latest version of each id" for both. Attempts and
-- updated_ns keep the count and the last instant; each attempt's outcome
-- is in the handler's logs. DELETE is allowed: with the ledger on
-- PostgreSQL nothing replays the inbox, so how long done deliveries are
-- kept is a retention choice, not a correctness one.
--
-- Instants are nanoseconds since the Unix epoch (NULL: the zero instant),
-- as in entries. The body is bytea, exactly as received (a re-drive
-- verifies its signature again); header is the kept headers as a JSON
-- object of arrays (NULL: none).

CREATE TABLE inbox (
	position    bigint GENERATED ALWAYS AS IDENTITY,
	id          text   NOT NULL,
	source      text   NOT NULL,
	topic       text   NOT NULL,
	delivery_id text   NOT NULL,
	header      jsonb,
	body        bytea,
	received_ns bigint,

	state      text    NOT NULL CHECK (state IN ('held', 'done')),
	outcome    text    NOT NULL,
	order_key  text    NOT NULL,
	reason     text    NOT NULL,
	detail     text    NOT NULL,
	attempts   integer NOT NULL,
	updated_ns bigint,

	CONSTRAINT inbox_pkey PRIMARY KEY (id),
	CONSTRAINT inbox_position_key UNIQUE (position)
);

-- Held(""), and Held(reason): the rows held now, in the order recorded.
CREATE INDEX inbox_held_idx ON inbox (position) WHERE state = 'held';
CREATE INDEX inbox_held_reason_idx ON inbox (reason, position) WHERE state = 'held';

CREATE FUNCTION inbox_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (NEW.position, NEW.id, NEW.source, NEW.topic, NEW.delivery_id, NEW.header, NEW.body, NEW.received_ns)
		IS DISTINCT FROM
		(OLD.position, OLD.id, OLD.source, OLD.topic, OLD.delivery_id, OLD.header, OLD.body, OLD.received_ns) THEN
		RAISE EXCEPTION 'upline: an inbox delivery''s arrival is fixed: % %', TG_OP, OLD.id
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF OLD.state = 'done' AND NEW.state <> 'done' THEN
		RAISE EXCEPTION 'upline: inbox delivery % is done: it cannot be held again', OLD.id
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER inbox_arrival_fixed BEFORE UPDATE ON inbox
	FOR EACH ROW EXECUTE FUNCTION inbox_refuse_change();
