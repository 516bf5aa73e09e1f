-- Quotas (SQLite): a wave's quota design and its cells with their counts, and the places each
-- interview holds. The counts are the truth the server enforces: a place is taken only by
-- `update quota_cells set in_progress = in_progress + 1 where id = $1 and not closed and
-- achieved + in_progress < capacity`, so concurrent screenings never overshoot a cell.
create table quota_designs (
    id integer primary key,
    wave_id integer not null unique references waves(id),
    -- the design file (TOML), as attached
    source text not null,
    created_at integer not null,
    updated_at integer not null
) strict;

create table quota_cells (
    id integer primary key,
    wave_id integer not null references waves(id),
    -- stable text form of the cell key: `commune=33063,sexe=2,age=1`
    cell_key text not null,
    -- index of the design's margin the cell belongs to (0 for a crossed design)
    margin integer not null,
    -- the cell's commune (INSEE code), when the design has a commune dimension
    commune_code text,
    target integer not null check (target >= 0),
    capacity integer not null check (capacity >= 0),
    kind text not null check (kind in ('hard', 'soft')),
    -- soft cells: tolerance above target in basis points (0 for hard cells)
    tolerance_bp integer not null default 0,
    closed integer not null default 0,
    achieved integer not null default 0 check (achieved >= 0),
    in_progress integer not null default 0 check (in_progress >= 0),
    unique (wave_id, cell_key)
) strict;
create index quota_cells_commune on quota_cells (wave_id, commune_code);

create table quota_reservations (
    id integer primary key,
    interview_id integer not null references interviews(id),
    cell_id integer not null references quota_cells(id),
    state text not null check (state in ('reserved', 'achieved', 'released')),
    created_at integer not null,
    updated_at integer not null
) strict;
create index quota_reservations_interview on quota_reservations (interview_id, state);
create index quota_reservations_reserved on quota_reservations (state) where state = 'reserved';
