-- Public identifiers (PostgreSQL): surveys, waves, cases and interviews leave the server (URLs,
-- the API, logs) under a UUID v7, never under their row id, so that their number and order do
-- not leak and databases can later be merged. Joins keep the integer keys.
--
-- Existing rows get a v7 built from their creation time (milliseconds in the first 48 bits,
-- version 7, the rest random); the server gives every new row its own.
create function cati_uuid_v7(ms bigint) returns uuid language sql volatile as $$
    select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(ms) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
$$;

alter table surveys add column uuid uuid;
alter table waves add column uuid uuid;
alter table sample_cases add column uuid uuid;
alter table interviews add column uuid uuid;

update surveys set uuid = cati_uuid_v7(created_at);
update waves set uuid = cati_uuid_v7(created_at);
update sample_cases set uuid = cati_uuid_v7(created_at);
update interviews set uuid = cati_uuid_v7(started_at);

alter table surveys alter column uuid set not null, add constraint surveys_uuid unique (uuid);
alter table waves alter column uuid set not null, add constraint waves_uuid unique (uuid);
alter table sample_cases alter column uuid set not null,
    add constraint sample_cases_uuid unique (uuid);
alter table interviews alter column uuid set not null, add constraint interviews_uuid unique (uuid);

drop function cati_uuid_v7(bigint);
