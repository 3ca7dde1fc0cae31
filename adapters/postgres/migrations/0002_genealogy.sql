-- The genealogy's change log: one row per hierarchy.Change, in the order
-- appended, each field in its own typed column. position is the change's
-- 1-based place in the log, dense (no gaps): the first n rows are the log
-- as a Genealogy that has applied n changes knows it, so a reader follows
-- new changes with "position > n". Instants are integer nanoseconds since
-- the Unix epoch (UTC), exact where timestamptz keeps microseconds; NULL is
-- the zero instant. Names a change does not use are empty strings, numbers
-- it does not use 0, as in hierarchy.Change.

CREATE TABLE genealogy_changes (
	position     bigint   NOT NULL CHECK (position > 0),
	op           smallint NOT NULL CHECK (op BETWEEN 1 AND 6),
	member       text     NOT NULL,
	kind         smallint NOT NULL CHECK (kind BETWEEN 0 AND 2),
	sponsor      text     NOT NULL,
	parent       text     NOT NULL,
	leg          integer  NOT NULL CHECK (leg BETWEEN 0 AND 65535),
	status       smallint NOT NULL CHECK (status BETWEEN 0 AND 4),
	paid_as      integer  NOT NULL CHECK (paid_as BETWEEN 0 AND 65535),
	highest      integer  NOT NULL CHECK (highest BETWEEN 0 AND 65535),
	code         text     NOT NULL,
	effective_ns bigint,
	recorded_ns  bigint,

	CONSTRAINT genealogy_changes_pkey PRIMARY KEY (position)
);

-- The log is the genealogy's history: the database itself refuses to
-- change or remove a change, whatever the client. A correction is a new
-- change.
CREATE FUNCTION genealogy_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'upline: the genealogy change log is append-only: % refused', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER genealogy_changes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON genealogy_changes
	FOR EACH STATEMENT EXECUTE FUNCTION genealogy_refuse_change();
