-- Public identifiers (SQLite): surveys, waves, cases and interviews leave the server (URLs, the
-- API, logs) under a UUID v7, never under their row id, so that their number and order do not
-- leak and databases can later be merged. Joins keep the integer keys.
--
-- Stored as 16-byte blobs (sqlx's encoding of `uuid::Uuid` on SQLite; half the size of text
-- in the unique index). Existing rows get a v7 built from their creation time and random bits;
-- the server gives every new row its own. SQLite cannot add a NOT NULL column without a
-- default, so the unique index is the guard and the server always writes one.
alter table surveys add column uuid blob;
alter table waves add column uuid blob;
alter table sample_cases add column uuid blob;
alter table interviews add column uuid blob;

update surveys set uuid = unhex(printf('%012x', created_at) || '7' || substr(hex(randomblob(2)), 2)
    || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2) || hex(randomblob(6)));
update waves set uuid = unhex(printf('%012x', created_at) || '7' || substr(hex(randomblob(2)), 2)
    || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2) || hex(randomblob(6)));
update sample_cases set uuid = unhex(printf('%012x', created_at) || '7' || substr(hex(randomblob(2)), 2)
    || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2) || hex(randomblob(6)));
update interviews set uuid = unhex(printf('%012x', started_at) || '7' || substr(hex(randomblob(2)), 2)
    || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2) || hex(randomblob(6)));

create unique index surveys_uuid on surveys (uuid);
create unique index waves_uuid on waves (uuid);
create unique index sample_cases_uuid on sample_cases (uuid);
create unique index interviews_uuid on interviews (uuid);
