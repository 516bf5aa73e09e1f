-- The language an interview is conducted in, when the interviewer switched it from the
-- questionnaire's primary language (null: the primary language).
alter table interviews add column language text;
