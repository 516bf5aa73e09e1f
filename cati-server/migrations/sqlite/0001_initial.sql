-- Initial schema (SQLite). Timestamps are Unix epoch milliseconds (UTC) in both backends so the
-- same Rust row types decode from either; JSON documents are stored as text.
create table users (
    id integer primary key,
    username text not null unique,
    display_name text not null,
    role text not null check (role in ('admin', 'supervisor', 'interviewer', 'analyst')),
    password_hash text not null,
    disabled integer not null default 0,
    -- bumped on password change or disabling: sessions carrying an older value are refused
    session_version integer not null default 0,
    created_at integer not null
) strict;

-- Failed logins per username (known or not, so the counter reveals nothing about accounts).
create table login_throttle (
    username text primary key,
    failures integer not null,
    locked_until integer
) strict;

create table surveys (
    id integer primary key,
    code text not null unique,
    title text not null,
    created_at integer not null
) strict;

create table questionnaire_versions (
    id integer primary key,
    survey_id integer not null references surveys(id),
    version text not null,
    file_name text not null,
    source text not null,
    created_at integer not null,
    unique (survey_id, version)
) strict;

create table waves (
    id integer primary key,
    survey_id integer not null references surveys(id),
    name text not null,
    questionnaire_version_id integer not null references questionnaire_versions(id),
    status text not null check (status in ('planned', 'open', 'closed')),
    created_at integer not null,
    unique (survey_id, name)
) strict;

create table sample_cases (
    id integer primary key,
    wave_id integer not null references waves(id),
    external_id text not null,
    commune_code text,
    commune_name text,
    preload text not null default '{}',
    synthetic integer not null default 0,
    status text not null check (status in ('pending', 'appointment', 'in_interview', 'final')),
    held_by integer references users(id),
    held_at integer,
    next_call_at integer,
    appointment_at integer,
    attempts integer not null default 0,
    last_call_at integer,
    final_outcome text,
    final_aapor text,
    created_at integer not null,
    unique (wave_id, external_id)
) strict;
create index sample_cases_queue on sample_cases (wave_id, status, held_by);

create table case_phones (
    id integer primary key,
    case_id integer not null references sample_cases(id),
    position integer not null,
    e164 text not null,
    label text,
    unique (case_id, position)
) strict;

create table call_attempts (
    id integer primary key,
    case_id integer not null references sample_cases(id),
    interviewer_id integer not null references users(id),
    started_at integer not null,
    ended_at integer not null,
    number_dialled text not null,
    outcome text not null,
    aapor_code text not null,
    note text,
    duration_s integer not null,
    appointment_at integer
) strict;
create index call_attempts_case on call_attempts (case_id);

create table interviews (
    id integer primary key,
    case_id integer not null unique references sample_cases(id),
    interviewer_id integer not null references users(id),
    status text not null check (status in ('in_progress', 'completed', 'screened_out', 'broken_off')),
    seed integer not null,
    record text not null,
    -- optimistic concurrency: every save must name the revision it read
    revision integer not null default 0,
    route text not null default '[]',
    started_at integer not null,
    updated_at integer not null,
    ended_at integer
) strict;

create table interview_answers (
    interview_id integer not null references interviews(id),
    variable text not null,
    answer text not null,
    answered_at integer not null,
    primary key (interview_id, variable)
) strict;

create table audit_log (
    id integer primary key,
    at integer not null,
    user_id integer references users(id),
    action text not null,
    target text not null,
    details text not null default '{}'
) strict;

-- An interviewer holds at most one case: this makes concurrent "next call" requests by the same
-- interviewer safe as well as claims by different ones.
create unique index sample_cases_one_per_holder on sample_cases (held_by) where held_by is not null;
