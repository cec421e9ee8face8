-- A move's progress, for the operator who watches it: the step it is at, rows copied of the rows the
-- copy's snapshot holds, and why it stopped when it failed (an error code, never a row's content).
-- The row is deleted when the move finishes, as before.
alter table control.moves
    add column step        text not null default '',
    add column rows_copied bigint not null default 0 check (rows_copied >= 0),
    add column rows_total  bigint not null default 0 check (rows_total >= 0),
    add column error       text;
