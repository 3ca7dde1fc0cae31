-- One payout run's entries (ledger.Filter.Run): a payout run looks up an
-- earlier run with its id through this index instead of reading the
-- payouts stream, so its cost does not grow with the runs before it.
CREATE INDEX entries_run_idx ON entries (run) WHERE run <> '';
