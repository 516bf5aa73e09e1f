-- Exports (PostgreSQL): one secret per survey keys the pseudonymous respondent and interviewer
-- ids of every export, so that ids stay the same across re-exports and waves. Generated once on
-- the first export; never printed, never exported.
create table survey_secrets (
    survey_id bigint primary key references surveys(id),
    secret text not null,
    created_at bigint not null
);
