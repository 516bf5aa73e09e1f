-- Setting up waves without SQL (PostgreSQL): a survey's description; a wave's field dates, the
-- wave it was created from, and a `paused` status (no case handed out, running interviews
-- finish).
alter table surveys add column description text not null default '';

alter table waves
    drop constraint waves_status_check,
    add constraint waves_status_check
        check (status in ('planned', 'open', 'paused', 'closed')),
    -- first and last day of calls (YYYY-MM-DD, Europe/Paris), when set
    add column field_start text,
    add column field_end text,
    add column previous_wave_id bigint references waves(id);
