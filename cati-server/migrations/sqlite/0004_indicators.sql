-- Indicators (SQLite): the indicators definition of a questionnaire version (the TOML text of
-- e.g. `questionnaires/observatoire.indicators.toml`, validated against the questionnaire when
-- stored). Exports of a wave with a definition include the per-commune indicator table.
alter table questionnaire_versions add column indicators text;
