-- No temporary objects for anyone but the owner: a temporary table or function lives in pg_temp, which
-- is searched first, so a role that may create one could shadow a tenant table for the rest of its
-- session. PostgreSQL grants TEMPORARY to PUBLIC on every new database; the owner revokes it. Runs in
-- every placement; in a schema placement it repeats what the pooled one did, which changes nothing.
do $$
begin
    execute format('revoke temporary on database %I from public', current_database());
end
$$;
