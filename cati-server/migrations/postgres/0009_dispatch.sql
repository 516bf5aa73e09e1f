-- Calling rules and an indexed hand-out (PostgreSQL).
--
-- A case waiting in the queue (pending or appointment, released, not held) carries when it is
-- next callable (`next_call_at`, inside a calling window, decided by the rules when its last
-- call was recorded) and its hand-out priority (`priority`, lower first: see
-- fieldwork::Priority). `due` is true once `next_call_at` has passed: cases become due in
-- small batches at claim time, by the `sample_cases_waiting` index, so that the claim itself
-- reads only due cases, by the `sample_cases_ready` indexes, whatever the size of the sample.
-- Invariant: `due` implies queued (not held, not final, released).
alter table sample_cases add column priority bigint not null default 400;
alter table sample_cases add column due boolean not null default false;
-- Only refusal converters get it (it went through a soft refusal).
alter table sample_cases add column needs_converter boolean not null default false;
-- The first number is a French geographic line: the respondent lives where the sample says.
alter table sample_cases add column fixed_line boolean not null default false;
-- A hard appointment stays with the interviewer who booked it until `reserved_until`.
alter table sample_cases add column reserved_for bigint references users(id);
alter table sample_cases add column reserved_until bigint;
-- End of a soft appointment's period.
alter table sample_cases add column appointment_until bigint;
-- The respondent did not pick up at the appointment.
alter table sample_cases add column missed_appointment boolean not null default false;
-- Current AAPOR disposition (final once the case is final); null while not released.
alter table sample_cases add column disposition text;

update sample_cases set fixed_line = true where exists (
    select 1 from case_phones p where p.case_id = sample_cases.id and p.position = 1
      and substr(p.e164, 1, 4) in ('+331', '+332', '+333', '+334', '+335', '+339'));
update sample_cases set
    next_call_at = coalesce(next_call_at, created_at),
    priority = case when status = 'appointment' then 0 when attempts = 0 then 400
                    else 500 + least(attempts, 99) end
where status in ('pending', 'appointment');
update sample_cases set disposition = case
    when not released then null
    when status = 'final' then final_aapor
    when attempts = 0 then '3.11'
    else coalesce((select a.aapor_code from call_attempts a where a.case_id = sample_cases.id
                   order by a.id desc limit 1), '3.11') end;

create index sample_cases_waiting on sample_cases (next_call_at)
    where not due and held_by is null and released and status in ('pending', 'appointment');
create index sample_cases_ready on sample_cases
    (wave_id, commune_code, needs_converter, fixed_line, priority, next_call_at) where due;
create index sample_cases_ready_first on sample_cases (wave_id, priority, next_call_at)
    where due and priority < 300;
create index sample_cases_reserved on sample_cases (reserved_for) where reserved_for is not null;

alter table call_attempts add column appointment_until bigint;
create index call_attempts_started on call_attempts (started_at);

-- Interviewers who may take soft refusals.
alter table users add column refusal_converter boolean not null default false;

-- A wave's calling rules (fieldwork::RulesConfig as JSON; null: the French defaults).
alter table waves add column calling_rules text;
-- A survey's outcome code frame (fieldwork::OutcomeFrame as JSON; null: the default frame).
alter table surveys add column outcome_frame text;

-- Cases per wave, commune ('' when unknown), replicate (0 when none) and current AAPOR
-- disposition, kept by triggers: the AAPOR report reads these, never the sample.
create table disposition_counts (
    wave_id bigint not null references waves(id),
    commune_code text not null,
    replicate bigint not null,
    code text not null,
    cases bigint not null,
    primary key (wave_id, commune_code, replicate, code)
);

insert into disposition_counts (wave_id, commune_code, replicate, code, cases)
select wave_id, coalesce(commune_code, ''), coalesce(replicate, 0), disposition, count(*)
from sample_cases where disposition is not null
group by wave_id, coalesce(commune_code, ''), coalesce(replicate, 0), disposition;

-- A change moves one case between two counter rows; they are locked in the order of their
-- codes, so that two opposite moves made at once cannot deadlock.
create function disposition_counts_track() returns trigger language plpgsql as $$
declare
    commune text := coalesce(new.commune_code, '');
    batch bigint := coalesce(new.replicate, 0);
begin
    if tg_op = 'UPDATE' and old.disposition is not distinct from new.disposition then
        return null;
    end if;
    if tg_op = 'UPDATE' and old.disposition is not null
       and (new.disposition is null or old.disposition < new.disposition) then
        update disposition_counts set cases = cases - 1
        where wave_id = old.wave_id and commune_code = coalesce(old.commune_code, '')
          and replicate = coalesce(old.replicate, 0) and code = old.disposition;
    end if;
    if new.disposition is not null then
        insert into disposition_counts (wave_id, commune_code, replicate, code, cases)
        values (new.wave_id, commune, batch, new.disposition, 1)
        on conflict (wave_id, commune_code, replicate, code)
        do update set cases = disposition_counts.cases + 1;
    end if;
    if tg_op = 'UPDATE' and old.disposition is not null and new.disposition is not null
       and old.disposition > new.disposition then
        update disposition_counts set cases = cases - 1
        where wave_id = old.wave_id and commune_code = coalesce(old.commune_code, '')
          and replicate = coalesce(old.replicate, 0) and code = old.disposition;
    end if;
    return null;
end
$$;

create trigger disposition_counts_update after update of disposition on sample_cases
    for each row execute function disposition_counts_track();

-- Inserts come by the thousand (a phone list): both counters take them once per statement, one
-- upsert per counter row from the statement's new rows, rather than once per case.
create function sample_counts_insert_batch() returns trigger language plpgsql as $$
begin
    insert into sample_counts (wave_id, commune_code, status, cases)
    select wave_id, coalesce(commune_code, ''), status, count(*) from inserted
    group by wave_id, coalesce(commune_code, ''), status
    order by 1, 2, 3
    on conflict (wave_id, commune_code, status)
    do update set cases = sample_counts.cases + excluded.cases;
    insert into disposition_counts (wave_id, commune_code, replicate, code, cases)
    select wave_id, coalesce(commune_code, ''), coalesce(replicate, 0), disposition, count(*)
    from inserted where disposition is not null
    group by wave_id, coalesce(commune_code, ''), coalesce(replicate, 0), disposition
    order by 1, 2, 3, 4
    on conflict (wave_id, commune_code, replicate, code)
    do update set cases = disposition_counts.cases + excluded.cases;
    return null;
end
$$;

drop trigger sample_counts_insert on sample_cases;
create trigger sample_counts_insert after insert on sample_cases
    referencing new table as inserted
    for each statement execute function sample_counts_insert_batch();
