-- Views for analysts: every cent traced in SQL, without knowing how
-- entries encode types, instants or calc_snapshots.
--
--   entry_types  each ledger.Type's number, name, and whether it is money
--   statements   the money entries (commission, correction, payout,
--                adjustment): one row each, with its effective instant
--   balances     per member and currency: the sum of its money entries,
--                split as the ledger's Statement splits it
--   events       commission and correction events, each with its
--                calc_snapshot put back
--
-- Instants appear twice: *_ns, the exact nanoseconds the ledger keeps, and
-- a timestamptz truncated to microseconds (PostgreSQL keeps no finer).
-- Filter and order by *_ns when two instants a nanosecond apart matter.

CREATE TABLE entry_types (
	type  smallint PRIMARY KEY,
	name  text    NOT NULL UNIQUE,
	-- Money: an amount owed to or by a member (ledger's moneyTypes).
	money boolean NOT NULL
);

INSERT INTO entry_types (type, name, money) VALUES
	(1, 'commission', true),
	(2, 'correction', true),
	(3, 'revision', false),
	(4, 'payout', true),
	(5, 'hold', false),
	(6, 'run', false),
	(7, 'adjustment', true),
	(8, 'refund', false),
	(9, 'replaced', false),
	(10, 'volume', false),
	(11, 'frozen', false);

CREATE FUNCTION ns_instant(ns bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
	$$ SELECT timestamptz 'epoch' + div(ns, 1000) * interval '1 microsecond' $$;

-- statements: one row per money entry, in ledger order (position). A
-- member's statement for a period is
--   SELECT * FROM statements WHERE member = $1 AND currency = $2
--     AND effective_ns >= $3 AND effective_ns < $4 ORDER BY position;
-- its balance at an instant the sum of amount WHERE effective_ns <= it.
-- order_key is "platform/store/id" for an order's entries, else NULL.
CREATE VIEW statements AS
SELECT e.position, e.id, e.member, e.currency, t.name AS type, e.amount,
	e.effective_ns, ns_instant(e.effective_ns) AS effective,
	e.posted_ns, ns_instant(e.posted_ns) AS posted,
	nullif(e.order_platform || '/' || e.order_store || '/' || e.order_id, '//') AS order_key,
	nullif(e.rule, '') AS rule, nullif(e.run, '') AS run, nullif(e.reason, '') AS reason
FROM entries e JOIN entry_types t ON t.type = e.type
WHERE t.money;

-- balances: per member and currency, over every money entry whatever its
-- effective instant (ledger.Balances at the end of time). balance =
-- earned - clawed_back + adjusted - paid, each figure as
-- ledger.Statement counts it: a payout's (negative) amount is paid, an
-- adjustment's is adjusted, any other negative amount is clawed back,
-- and a commission or an upward correction is earned.
CREATE VIEW balances AS
SELECT member, currency,
	sum(amount) AS balance,
	sum(CASE WHEN type IN ('commission', 'correction') AND amount >= 0 THEN amount ELSE 0 END) AS earned,
	sum(CASE WHEN type IN ('commission', 'correction') AND amount < 0 THEN -amount ELSE 0 END) AS clawed_back,
	sum(CASE WHEN type = 'adjustment' THEN amount ELSE 0 END) AS adjusted,
	sum(CASE WHEN type = 'payout' THEN -amount ELSE 0 END) AS paid,
	count(*) AS entries
FROM statements
GROUP BY member, currency;

-- events: every commission and correction event as the engine wrote it,
-- calc_snapshot included (event), and the snapshot on its own
-- (calc_snapshot): what the calculation saw — the order's lines, the
-- plan, the genealogy path — so any amount can be explained. The
-- snapshot is kept once per calculation in snapshots and joined here.
CREATE VIEW events AS
SELECT e.position, e.id, t.name AS type, e.member AS beneficiary, e.currency, e.amount,
	nullif(e.rule, '') AS rule,
	e.effective_ns, ns_instant(e.effective_ns) AS effective,
	nullif(e.order_platform || '/' || e.order_store || '/' || e.order_id, '//') AS order_key,
	CASE WHEN s.snapshot IS NULL THEN e.event
		ELSE e.event || jsonb_build_object('calc_snapshot', s.snapshot) END AS event,
	s.snapshot AS calc_snapshot
FROM entries e
JOIN entry_types t ON t.type = e.type
LEFT JOIN snapshots s ON s.hash = e.snapshot
WHERE e.event IS NOT NULL;
