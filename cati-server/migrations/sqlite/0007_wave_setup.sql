-- Setting up waves without SQL (SQLite): a survey's description; a wave's field dates, the wave
-- it was created from, and a `paused` status (no case handed out, running interviews finish).
--
-- SQLite cannot change a CHECK constraint in place, so `waves` is rebuilt. The usual procedure
-- turns foreign keys off, which is impossible inside the transaction the migrator runs in;
-- instead they are deferred to the commit: dropping `waves` counts its children as orphans,
-- re-inserting every wave into the new `waves` (which the children name) counts them back, and
-- the commit checks that none is left.
pragma defer_foreign_keys = on;

alter table surveys add column description text not null default '';

create temp table waves_before as select * from waves;
drop table waves;
create table waves (
    id integer primary key,
    uuid blob,
    survey_id integer not null references surveys(id),
    name text not null,
    questionnaire_version_id integer not null references questionnaire_versions(id),
    status text not null check (status in ('planned', 'open', 'paused', 'closed')),
    -- first and last day of calls (YYYY-MM-DD, Europe/Paris), when set
    field_start text,
    field_end text,
    previous_wave_id integer references waves(id),
    created_at integer not null,
    unique (survey_id, name)
) strict;
insert into waves (id, uuid, survey_id, name, questionnaire_version_id, status, created_at)
select id, uuid, survey_id, name, questionnaire_version_id, status, created_at
from waves_before;
drop table waves_before;
create unique index waves_uuid on waves (uuid);
