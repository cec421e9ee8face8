-- Personal data in the audit trail that an erasure can remove without breaking a seal.
--
-- A refused request (a configuration change with bad fields) is recorded with the outcome 'rejected'.
alter table audit_events drop constraint audit_events_outcome_check;
alter table audit_events add constraint audit_events_outcome_check check (outcome in ('ok', 'not_found', 'rejected'));

-- The client address of an event. The sealed event holds only a salted commitment to it
-- ('sha256:' || hex(sha256(salt || address)), see Bulkhead.Audit.ClientAddressCommitment), so erasing
-- a user deletes their rows here and every seal still verifies; without the salt the commitment cannot
-- be matched against guessed addresses. A trail table (audit_*): never behind the write gate, moved with
-- the trail. The runtime role may delete from it (the erasure runs as the runtime role), not update it:
-- an address can be removed, never replaced by another one unseen (`audit verify` checks each row
-- against its event's commitment).
create table audit_client_addresses (
    tenant_id uuid not null,
    event_id  uuid not null,
    salt      bytea not null check (length(salt) = 16),
    address   text not null,
    primary key (tenant_id, event_id)
);

-- No index of its own beyond the key: every audited request writes a row here, and an erasure finds a
-- subject's rows through audit_events_by_sub.
alter table audit_client_addresses enable row level security;
alter table audit_client_addresses force row level security;
create policy tenant_isolation on audit_client_addresses for all
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
grant select, insert, delete on audit_client_addresses to bulkhead_app;
