-- Period close (issue 14): the ledger's award, carry and close entries.
-- An award is money: balances and statements count it as earned (a
-- negative one, a correction taking an award back, as clawed back).

INSERT INTO entry_types (type, name, money) VALUES
	(12, 'award', true),
	(13, 'carry', false),
	(14, 'close', false);

CREATE OR REPLACE VIEW balances AS
SELECT member, currency,
	sum(amount) AS balance,
	sum(CASE WHEN type IN ('commission', 'correction', 'award') AND amount >= 0 THEN amount ELSE 0 END) AS earned,
	sum(CASE WHEN type IN ('commission', 'correction', 'award') AND amount < 0 THEN -amount ELSE 0 END) AS clawed_back,
	sum(CASE WHEN type = 'adjustment' THEN amount ELSE 0 END) AS adjusted,
	sum(CASE WHEN type = 'payout' THEN -amount ELSE 0 END) AS paid,
	count(*) AS entries
FROM statements
GROUP BY member, currency;

-- A period award (its JSON as commission.Award writes it, calc_snapshot
-- included), a carry and a close record, each on the entries of its type.
ALTER TABLE entries
	ADD COLUMN award jsonb,
	ADD COLUMN carry jsonb,
	ADD COLUMN close jsonb;
