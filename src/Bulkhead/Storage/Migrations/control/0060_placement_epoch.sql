-- Placement epochs and the deleting state.
-- Every switch of a tenant's placement (a move, an offboarding) raises its epoch. Tenant sessions carry
-- the epoch they resolved, and every placement refuses writes whose epoch is not the one it was fenced
-- at (tenant migration 0100), so a request that resolved an old placement cannot write there, however
-- long it ran and whatever a server still caches.
alter table control.placements add column epoch bigint not null default 1 check (epoch >= 1);

-- Offboarding is a state, not a step: 'deleting' until every placement the tenant ever had is purged.
alter table control.tenants drop constraint tenants_status_check;
alter table control.tenants add constraint tenants_status_check
    check (status in ('provisioning', 'active', 'suspended', 'deleting', 'deleted'));
