-- Counters (PostgreSQL): figures that dashboards read without scanning the sample, kept by
-- triggers in the transaction that changes the rows they count, so they can never drift.
--
-- Cases per wave, commune ('' when unknown) and status.
create table sample_counts (
    wave_id bigint not null references waves(id),
    commune_code text not null,
    status text not null,
    cases bigint not null,
    primary key (wave_id, commune_code, status)
);

insert into sample_counts (wave_id, commune_code, status, cases)
select wave_id, coalesce(commune_code, ''), status, count(*) from sample_cases
group by wave_id, coalesce(commune_code, ''), status;

-- A status change moves one case between two counter rows of the same commune; the rows are
-- locked in the order of their status names, so that two opposite moves (pending to
-- in_interview, in_interview to pending) made at once cannot deadlock.
create function sample_counts_track() returns trigger language plpgsql as $$
declare
    commune text := coalesce(new.commune_code, '');
begin
    if tg_op = 'UPDATE' and old.status = new.status then
        return null;
    end if;
    if tg_op = 'UPDATE' and old.status < new.status then
        update sample_counts set cases = cases - 1
        where wave_id = old.wave_id and commune_code = commune and status = old.status;
    end if;
    insert into sample_counts (wave_id, commune_code, status, cases)
    values (new.wave_id, commune, new.status, 1)
    on conflict (wave_id, commune_code, status) do update set cases = sample_counts.cases + 1;
    if tg_op = 'UPDATE' and old.status > new.status then
        update sample_counts set cases = cases - 1
        where wave_id = old.wave_id and commune_code = commune and status = old.status;
    end if;
    return null;
end
$$;

create trigger sample_counts_insert after insert on sample_cases
    for each row execute function sample_counts_track();
create trigger sample_counts_status after update of status on sample_cases
    for each row execute function sample_counts_track();

-- Per-wave figures: the first completed interview (the start of the pace).
create table wave_figures (
    wave_id bigint primary key references waves(id),
    first_completion_at bigint
);

insert into wave_figures (wave_id, first_completion_at)
select c.wave_id, min(i.ended_at) from interviews i join sample_cases c on c.id = i.case_id
where i.status = 'completed' group by c.wave_id;

-- Only the first completion of a wave writes (later ones read and stop), so that completions
-- do not queue on the wave's row.
create function wave_figures_track() returns trigger language plpgsql as $$
declare
    wave bigint;
    at bigint := coalesce(new.ended_at, new.updated_at);
begin
    select wave_id into wave from sample_cases where id = new.case_id;
    if exists (select 1 from wave_figures
               where wave_id = wave and first_completion_at is not null
                 and first_completion_at <= at) then
        return null;
    end if;
    insert into wave_figures (wave_id, first_completion_at) values (wave, at)
    on conflict (wave_id) do update set first_completion_at =
        least(coalesce(wave_figures.first_completion_at, excluded.first_completion_at),
              excluded.first_completion_at);
    return null;
end
$$;

create trigger wave_figures_completion after update of status on interviews
    for each row when (new.status = 'completed' and old.status <> 'completed')
    execute function wave_figures_track();
