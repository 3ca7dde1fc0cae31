-- A payout run's reads, so that its cost does not grow with the runs
-- before it nor with the ledger's other entries:
-- one payout run's entries (ledger.Filter.Run), to find an earlier run
-- with its id without reading the payouts stream;
CREATE INDEX entries_run_idx ON entries (run) WHERE run <> '';
-- every payout, summed per member and currency (the types of a filter
-- are written as constants, so a plan can prove it selects type 4).
CREATE INDEX entries_payout_idx ON entries (member, currency) INCLUDE (amount) WHERE type = 4;
