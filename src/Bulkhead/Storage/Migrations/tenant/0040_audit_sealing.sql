-- The trail at line rate. The request path only appends a plain event (no lock, no hash, nothing read
-- from earlier events); each event records the id of the transaction that wrote it, and a background
-- sealer (Bulkhead.Audit.AuditSealer) seals the events of transactions below the snapshot horizon into
-- blocks: a Merkle root over the block's events, chained per tenant to the block before. Signed
-- checkpoints of each tenant's newest block are kept outside the database.
--
-- The hash chain of 0030 (seq, prev_hash, hash) is dropped: `./bulkhead audit verify` of the earlier
-- version is the evidence for events written before this migration; from here on the sealer seals them
-- like any other event. The outcome replaces the HTTP status: what the statement found, not how the
-- API answered.
alter table audit_events
    add column xid xid8 not null default pg_current_xact_id(),
    add column outcome text check (outcome in ('ok', 'not_found'));
update audit_events set outcome = case when status = 404 then 'not_found' when status is not null then 'ok' end;
alter table audit_events
    drop column status,
    drop column seq,
    drop column prev_hash,
    drop column hash,
    alter column occurred_at set default statement_timestamp();

-- The sealer's scan: a tenant's events from the newest block's horizon on.
create index audit_events_by_xid on audit_events (tenant_id, xid);
-- The tenant admin's trail, newest first (ids are UUIDv7), filtered by user or action.
create index audit_events_by_sub on audit_events (tenant_id, sub, id desc);
create index audit_events_by_action on audit_events (tenant_id, action, id desc);

-- Audit tables are never behind the write gate: reads write events and keep answering through a move.
-- The migrator skips tables named audit_* when it attaches the gate.
drop trigger if exists tenant_write_gate on audit_events;

-- One row per sealed block. Every event of transactions below `horizon` (in this segment's transaction
-- id space) is sealed in this block or an earlier one. A move starts a new segment: its first block
-- holds no events and chains to the source's last block. See Bulkhead.Audit.AuditBlock for the bytes
-- hashed.
create table audit_blocks (
    tenant_id uuid not null,
    block     bigint not null check (block > 0),
    segment   integer not null check (segment > 0),
    events    integer not null check (events >= 0),
    total     bigint not null check (total >= 0),
    horizon   xid8 not null,
    sealed_at timestamptz not null,
    root      bytea not null check (length(root) = 32),
    prev_hash bytea not null check (length(prev_hash) = 32),
    hash      bytea not null check (length(hash) = 32),
    primary key (tenant_id, block)
);

-- Which block seals each event, and where in the block's Merkle tree it is a leaf. The primary key
-- means no event is ever sealed twice.
create table audit_seals (
    tenant_id uuid not null,
    event_id  uuid not null,
    block     bigint not null,
    position  integer not null check (position >= 0),
    primary key (tenant_id, event_id),
    unique (tenant_id, block, position)
);

alter table audit_blocks enable row level security;
alter table audit_blocks force row level security;
create policy tenant_isolation on audit_blocks for all
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
alter table audit_seals enable row level security;
alter table audit_seals force row level security;
create policy tenant_isolation on audit_seals for all
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));

-- The sealer runs as the runtime role, one tenant scope at a time: it appends blocks and seals and can
-- change nothing already written.
grant select, insert on audit_blocks, audit_seals to bulkhead_app;
