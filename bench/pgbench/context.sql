-- The tenant context as TenantSession sends it for an audited read (relaxed commit), then the seed's list query.
\startpipeline
select set_config('app.tenant_id', :tenant, true), set_config('search_path', 'app', true), set_config('app.placement_epoch', '1', true), set_config('synchronous_commit', 'off', true);
select c.id, c.user_id, c.title, c.created_at, c.updated_at, :sub::text from app.conversations c where c.tenant_id = :tenant and c.user_id = (select u.id from app.users u where u.tenant_id = :tenant and u.sub = :sub) order by c.id desc limit 21;
\endpipeline
