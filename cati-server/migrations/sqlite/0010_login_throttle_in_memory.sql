-- Failed logins are counted in memory by each instance (auth::throttle), no longer per user
-- name in the database, where a flood of unknown names grew the table without bound.
drop table login_throttle;
