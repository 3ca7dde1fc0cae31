-- Reserved: version 02 belongs to a migration being written on
-- another branch. This placeholder keeps the versions without gaps until
-- that branch merges; delete it then (the real file takes its number).
SELECT 1;
