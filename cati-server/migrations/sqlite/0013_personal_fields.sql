-- The sample's columns flagged personal when loaded (JSON array of field names): never
-- exported, whatever the questionnaire says of them.
alter table waves add column personal_fields text;
