-- A tenant's own provider key is kept in one row that every change overwrites (provider_keys), never in
-- the configuration history: removing the key, or replacing it, leaves no earlier copy in the tables.
-- History rows (tenant_config) record only that the key was set, changed or removed, and the version
-- the change made. Existing history is purged here: the newest key moves to provider_keys, every
-- tenant_config row loses its copy. A tenant whose newest row removed the key keeps a row without one, so
-- its versions go on counting. (PostgreSQL reclaims the old row versions at the next vacuum.)
create table provider_keys (
    tenant_id  uuid not null,
    -- The id of the history row that first set it; the key (tenant_id, id) lets a move copy it like any row.
    id         uuid not null,
    -- Sealed with AES-GCM by the server (tenant id as associated data); null once removed.
    sealed     bytea,
    version    integer not null check (version > 0),
    changed_at timestamptz not null default now(),
    primary key (tenant_id, id),
    -- One row per tenant, overwritten by each change.
    unique (tenant_id)
);
alter table provider_keys enable row level security;
alter table provider_keys force row level security;
create policy tenant_isolation on provider_keys for all
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
grant select, insert, update, delete on provider_keys to bulkhead_app;

alter table tenant_config
    add column provider_key_change  text check (provider_key_change in ('set', 'changed', 'removed')),
    add column provider_key_version integer check (provider_key_version > 0),
    add constraint provider_key_change_has_version check ((provider_key_change is null) = (provider_key_version is null));

-- Each earlier change of the key becomes a history entry with its version, counted per tenant.
with changes as (
    select tenant_id, id,
           case when prev is null and cur is not null then 'set'
                when prev is not null and cur is null then 'removed'
                when prev <> cur then 'changed' end as change
      from (select tenant_id, id, provider_key_sealed as cur,
                   lag(provider_key_sealed) over (partition by tenant_id order by id) as prev
              from tenant_config) k
), versions as (
    select tenant_id, id, change, row_number() over (partition by tenant_id order by id) as version
      from changes where change is not null
)
update tenant_config c set provider_key_change = v.change, provider_key_version = v.version
  from versions v
 where c.tenant_id = v.tenant_id and c.id = v.id;

insert into provider_keys (tenant_id, id, sealed, version, changed_at)
select newest.tenant_id, newest.id, newest.provider_key_sealed, newest.version, newest.created_at
  from (select distinct on (c.tenant_id) c.tenant_id, c.id, c.provider_key_sealed, c.created_at,
               (select max(h.provider_key_version) from tenant_config h where h.tenant_id = c.tenant_id) as version
          from tenant_config c
         order by c.tenant_id, c.id desc) newest
 where newest.version is not null;

update tenant_config set provider_key_sealed = null where provider_key_sealed is not null;
alter table tenant_config drop column provider_key_sealed;
