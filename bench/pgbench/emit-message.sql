-- The read with its context, its event a non-transactional WAL message (pg_logical_emit_message) emitted by
-- the same statement: no transaction id, no commit record, no row. `./bulkhead bench pgbench --logical` only.
\startpipeline
select set_config('app.tenant_id', :tenant, true), set_config('search_path', 'app', true), set_config('app.placement_epoch', '1', true), set_config('synchronous_commit', 'off', true);
with e as (select pg_logical_emit_message(false, 'bulkhead.audit', json_build_object('t', :tenant::text, 's', :sub::text, 'a', 'conversation.list', 'at', clock_timestamp())::text) as lsn)
select c.id, c.user_id, c.title, c.created_at, c.updated_at, :sub::text, e.lsn from e, app.conversations c where c.tenant_id = :tenant and c.user_id = (select u.id from app.users u where u.tenant_id = :tenant and u.sub = :sub) order by c.id desc limit 21;
\endpipeline
