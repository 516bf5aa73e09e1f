-- Counter rows in shards (PostgreSQL). Every claim and every recorded call moves a case
-- between two counter rows of its commune, and a row stays locked until its transaction has
-- committed (flushed to the disk): with one row per commune and status, a hundred interviewers
-- working the same commune queued on that row, one commit flush after another (measured with
-- `cati bench dispatch` at 100 interviewers: outcome saves p99 0.5 s). Each counter now has
-- 16 rows, one per shard; a transaction writes the shard of its connection (its backend
-- process id modulo 16), so concurrent transactions mostly touch different rows. A shard may
-- go below zero (a case counted in one shard, moved out in another); readers add the shards.
-- SQLite has one writer at a time and keeps one row per counter.

alter table sample_counts add column shard smallint not null default 0;
alter table sample_counts drop constraint sample_counts_pkey;
alter table sample_counts add primary key (wave_id, commune_code, status, shard);

alter table disposition_counts add column shard smallint not null default 0;
alter table disposition_counts drop constraint disposition_counts_pkey;
alter table disposition_counts add primary key (wave_id, commune_code, replicate, code, shard);

-- The rows of one shard are still locked in the order of their status names (see 0005), so
-- that two opposite moves made at once in the same shard cannot deadlock.
create or replace function sample_counts_track() returns trigger language plpgsql as $$
declare
    commune text := coalesce(new.commune_code, '');
    part smallint := pg_backend_pid() % 16;
begin
    if tg_op = 'UPDATE' and old.status = new.status then
        return null;
    end if;
    if tg_op = 'UPDATE' and old.status < new.status then
        insert into sample_counts (wave_id, commune_code, status, shard, cases)
        values (old.wave_id, commune, old.status, part, -1)
        on conflict (wave_id, commune_code, status, shard)
        do update set cases = sample_counts.cases - 1;
    end if;
    insert into sample_counts (wave_id, commune_code, status, shard, cases)
    values (new.wave_id, commune, new.status, part, 1)
    on conflict (wave_id, commune_code, status, shard)
    do update set cases = sample_counts.cases + 1;
    if tg_op = 'UPDATE' and old.status > new.status then
        insert into sample_counts (wave_id, commune_code, status, shard, cases)
        values (old.wave_id, commune, old.status, part, -1)
        on conflict (wave_id, commune_code, status, shard)
        do update set cases = sample_counts.cases - 1;
    end if;
    return null;
end
$$;

create or replace function disposition_counts_track() returns trigger language plpgsql as $$
declare
    commune text := coalesce(new.commune_code, '');
    batch bigint := coalesce(new.replicate, 0);
    part smallint := pg_backend_pid() % 16;
begin
    if tg_op = 'UPDATE' and old.disposition is not distinct from new.disposition then
        return null;
    end if;
    if tg_op = 'UPDATE' and old.disposition is not null
       and (new.disposition is null or old.disposition < new.disposition) then
        insert into disposition_counts (wave_id, commune_code, replicate, code, shard, cases)
        values (old.wave_id, coalesce(old.commune_code, ''), coalesce(old.replicate, 0),
                old.disposition, part, -1)
        on conflict (wave_id, commune_code, replicate, code, shard)
        do update set cases = disposition_counts.cases - 1;
    end if;
    if new.disposition is not null then
        insert into disposition_counts (wave_id, commune_code, replicate, code, shard, cases)
        values (new.wave_id, commune, batch, new.disposition, part, 1)
        on conflict (wave_id, commune_code, replicate, code, shard)
        do update set cases = disposition_counts.cases + 1;
    end if;
    if tg_op = 'UPDATE' and old.disposition is not null and new.disposition is not null
       and old.disposition > new.disposition then
        insert into disposition_counts (wave_id, commune_code, replicate, code, shard, cases)
        values (old.wave_id, coalesce(old.commune_code, ''), coalesce(old.replicate, 0),
                old.disposition, part, -1)
        on conflict (wave_id, commune_code, replicate, code, shard)
        do update set cases = disposition_counts.cases - 1;
    end if;
    return null;
end
$$;

create or replace function sample_counts_insert_batch() returns trigger language plpgsql as $$
declare
    part smallint := pg_backend_pid() % 16;
begin
    insert into sample_counts (wave_id, commune_code, status, shard, cases)
    select wave_id, coalesce(commune_code, ''), status, part, count(*) from inserted
    group by wave_id, coalesce(commune_code, ''), status
    order by 1, 2, 3
    on conflict (wave_id, commune_code, status, shard)
    do update set cases = sample_counts.cases + excluded.cases;
    insert into disposition_counts (wave_id, commune_code, replicate, code, shard, cases)
    select wave_id, coalesce(commune_code, ''), coalesce(replicate, 0), disposition, part,
           count(*)
    from inserted where disposition is not null
    group by wave_id, coalesce(commune_code, ''), coalesce(replicate, 0), disposition
    order by 1, 2, 3, 4
    on conflict (wave_id, commune_code, replicate, code, shard)
    do update set cases = disposition_counts.cases + excluded.cases;
    return null;
end
$$;
