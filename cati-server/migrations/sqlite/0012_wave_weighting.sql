-- A wave's weighting set-up (JSON: population source, vintage, method, bounds): its exports
-- are weighted with it by default. Null: unweighted.
alter table waves add column weighting text;
