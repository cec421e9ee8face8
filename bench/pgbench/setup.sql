-- Tables for the insert-*.sql scripts, made and dropped by `./bulkhead bench pgbench`: copies of
-- app.audit_events with all of it (events), its primary key only, no index, and unlogged.
set client_min_messages = warning;
drop schema if exists bench_scratch cascade;
create schema bench_scratch;
create table bench_scratch.events (like app.audit_events including all);
alter table bench_scratch.events enable row level security;
alter table bench_scratch.events force row level security;
create policy tenant_isolation on bench_scratch.events for all
    using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
    with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid));
create table bench_scratch.primary_key (like app.audit_events including defaults including constraints);
alter table bench_scratch.primary_key add primary key (tenant_id, id);
create table bench_scratch.no_index (like app.audit_events including defaults including constraints);
create unlogged table bench_scratch.unlogged (like app.audit_events including defaults including constraints);
alter table bench_scratch.unlogged add primary key (tenant_id, id);
grant usage on schema bench_scratch to bulkhead_app;
grant select, insert on all tables in schema bench_scratch to bulkhead_app;
