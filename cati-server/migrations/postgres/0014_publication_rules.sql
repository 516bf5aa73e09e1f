-- A wave's publication rules (JSON: min_n, min_effective_n, max_half_width): which cells of
-- its indicator table the results page and the open data publish. Null: the defaults.
alter table waves add column publication text;
