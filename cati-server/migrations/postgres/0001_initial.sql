-- Initial schema (PostgreSQL). Timestamps are Unix epoch milliseconds (UTC) in both backends so the
-- same Rust row types decode from either; JSON documents are stored as text.
create table users (
    id bigint generated always as identity primary key,
    username text not null unique,
    display_name text not null,
    role text not null check (role in ('admin', 'supervisor', 'interviewer', 'analyst')),
    password_hash text not null,
    disabled boolean not null default false,
    -- bumped on password change or disabling: sessions carrying an older value are refused
    session_version bigint not null default 0,
    created_at bigint not null
);

-- Failed logins per username (known or not, so the counter reveals nothing about accounts).
create table login_throttle (
    username text primary key,
    failures bigint not null,
    locked_until bigint
);

create table surveys (
    id bigint generated always as identity primary key,
    code text not null unique,
    title text not null,
    created_at bigint not null
);

create table questionnaire_versions (
    id bigint generated always as identity primary key,
    survey_id bigint not null references surveys(id),
    version text not null,
    file_name text not null,
    source text not null,
    created_at bigint not null,
    unique (survey_id, version)
);

create table waves (
    id bigint generated always as identity primary key,
    survey_id bigint not null references surveys(id),
    name text not null,
    questionnaire_version_id bigint not null references questionnaire_versions(id),
    status text not null check (status in ('planned', 'open', 'closed')),
    created_at bigint not null,
    unique (survey_id, name)
);

create table sample_cases (
    id bigint generated always as identity primary key,
    wave_id bigint not null references waves(id),
    external_id text not null,
    commune_code text,
    commune_name text,
    preload text not null default '{}',
    synthetic boolean not null default false,
    status text not null check (status in ('pending', 'appointment', 'in_interview', 'final')),
    held_by bigint references users(id),
    held_at bigint,
    next_call_at bigint,
    appointment_at bigint,
    attempts bigint not null default 0,
    last_call_at bigint,
    final_outcome text,
    final_aapor text,
    created_at bigint not null,
    unique (wave_id, external_id)
);
create index sample_cases_queue on sample_cases (wave_id, status, held_by);

create table case_phones (
    id bigint generated always as identity primary key,
    case_id bigint not null references sample_cases(id),
    position bigint not null,
    e164 text not null,
    label text,
    unique (case_id, position)
);

create table call_attempts (
    id bigint generated always as identity primary key,
    case_id bigint not null references sample_cases(id),
    interviewer_id bigint not null references users(id),
    started_at bigint not null,
    ended_at bigint not null,
    number_dialled text not null,
    outcome text not null,
    aapor_code text not null,
    note text,
    duration_s bigint not null,
    appointment_at bigint
);
create index call_attempts_case on call_attempts (case_id);

create table interviews (
    id bigint generated always as identity primary key,
    case_id bigint not null unique references sample_cases(id),
    interviewer_id bigint not null references users(id),
    status text not null check (status in ('in_progress', 'completed', 'screened_out', 'broken_off')),
    seed bigint not null,
    record text not null,
    -- optimistic concurrency: every save must name the revision it read
    revision bigint not null default 0,
    route text not null default '[]',
    started_at bigint not null,
    updated_at bigint not null,
    ended_at bigint
);

create table interview_answers (
    interview_id bigint not null references interviews(id),
    variable text not null,
    answer text not null,
    answered_at bigint not null,
    primary key (interview_id, variable)
);

create table audit_log (
    id bigint generated always as identity primary key,
    at bigint not null,
    user_id bigint references users(id),
    action text not null,
    target text not null,
    details text not null default '{}'
);

-- An interviewer holds at most one case: this makes concurrent "next call" requests by the same
-- interviewer safe as well as claims by different ones.
create unique index sample_cases_one_per_holder on sample_cases (held_by) where held_by is not null;
