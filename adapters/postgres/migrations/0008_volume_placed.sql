-- A period close that counts refunds in the order's period (issue 14)
-- sums the volume entries of the orders placed in the period, placed_ns
-- or, when NULL, effective_ns: this index serves that range, so such a
-- close reads its period's lines instead of every line effective since
-- the period began (the whole table for a period closed again late).
CREATE INDEX entries_volume_placed_idx ON entries ((coalesce(placed_ns, effective_ns))) WHERE type = 10;
