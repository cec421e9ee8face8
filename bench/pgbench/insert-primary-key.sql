-- The read with its context, then one event row into bench_scratch.primary_key, in the same pipeline (one transaction).
\startpipeline
select set_config('app.tenant_id', :tenant, true), set_config('search_path', 'app', true), set_config('app.placement_epoch', '1', true), set_config('synchronous_commit', 'off', true);
select c.id, c.user_id, c.title, c.created_at, c.updated_at, :sub::text from app.conversations c where c.tenant_id = :tenant and c.user_id = (select u.id from app.users u where u.tenant_id = :tenant and u.sub = :sub) order by c.id desc limit 21;
insert into bench_scratch.primary_key (tenant_id, id, sub, role, token_id, action, resource_type, resource_id, request_id, client_address, outcome, result_count) values (:tenant, (lpad(to_hex(floor(extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 19))::uuid, :sub, 'member', 'bench', 'conversation.list', 'conversation', null, 'bench', null, 'ok', 21);
\endpipeline
