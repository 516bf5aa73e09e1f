-- Counter rows in shards is a PostgreSQL change (see its 0015): SQLite has one writer at a
-- time, so its counters keep one row each. This file keeps the two migration lists alike.
select 1;
