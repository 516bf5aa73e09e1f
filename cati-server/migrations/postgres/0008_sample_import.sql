-- Loading a manager's phone list (PostgreSQL).
--
-- Duplicates against the wave are found by number.
create index case_phones_number on case_phones (e164);

-- Replicates: an import may be split into random batches; only released cases are dialled.
-- Cases loaded without replicates are released at once.
alter table sample_cases add column replicate bigint;
alter table sample_cases add column released boolean not null default true;
create index sample_cases_unreleased on sample_cases (wave_id, replicate) where not released;

-- Do-not-call list of a survey: keyed hashes of E.164 numbers (HMAC-SHA-256 with the survey's
-- secret), never the numbers themselves.
create table do_not_call (
    survey_id bigint not null references surveys(id),
    number_hash text not null,
    -- where it came from: 'import' (a list) or 'respondent' (asked during a call)
    source text not null check (source in ('import', 'respondent')),
    added_at bigint not null,
    primary key (survey_id, number_hash)
);

-- Managers search a wave's cases by commune and status.
create index sample_cases_commune on sample_cases (wave_id, commune_code, status);
