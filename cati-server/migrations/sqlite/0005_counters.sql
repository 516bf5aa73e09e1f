-- Counters (SQLite): figures that dashboards read without scanning the sample, kept by
-- triggers in the transaction that changes the rows they count, so they can never drift.
--
-- Cases per wave, commune ('' when unknown) and status.
create table sample_counts (
    wave_id integer not null references waves(id),
    commune_code text not null,
    status text not null,
    cases integer not null,
    primary key (wave_id, commune_code, status)
) strict;

insert into sample_counts (wave_id, commune_code, status, cases)
select wave_id, coalesce(commune_code, ''), status, count(*) from sample_cases
group by wave_id, coalesce(commune_code, ''), status;

create trigger sample_counts_insert after insert on sample_cases
begin
    insert into sample_counts (wave_id, commune_code, status, cases)
    values (new.wave_id, coalesce(new.commune_code, ''), new.status, 1)
    on conflict (wave_id, commune_code, status) do update set cases = cases + 1;
end;

create trigger sample_counts_status after update of status on sample_cases
when old.status <> new.status
begin
    update sample_counts set cases = cases - 1
    where wave_id = old.wave_id and commune_code = coalesce(old.commune_code, '')
      and status = old.status;
    insert into sample_counts (wave_id, commune_code, status, cases)
    values (new.wave_id, coalesce(new.commune_code, ''), new.status, 1)
    on conflict (wave_id, commune_code, status) do update set cases = cases + 1;
end;

-- Per-wave figures: the first completed interview (the start of the pace).
create table wave_figures (
    wave_id integer primary key references waves(id),
    first_completion_at integer
) strict;

insert into wave_figures (wave_id, first_completion_at)
select c.wave_id, min(i.ended_at) from interviews i join sample_cases c on c.id = i.case_id
where i.status = 'completed' group by c.wave_id;

create trigger wave_figures_completion after update of status on interviews
when new.status = 'completed' and old.status <> 'completed'
begin
    insert into wave_figures (wave_id, first_completion_at)
    select wave_id, coalesce(new.ended_at, new.updated_at) from sample_cases where id = new.case_id
    on conflict (wave_id) do update set first_completion_at =
        min(coalesce(first_completion_at, excluded.first_completion_at), excluded.first_completion_at);
end;
