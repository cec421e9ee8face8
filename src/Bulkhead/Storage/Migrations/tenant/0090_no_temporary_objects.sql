-- No temporary objects for the runtime role: a temporary table or function lives in pg_temp, which is
-- searched first, so a role that may create one could shadow a tenant table for the rest of its session.
-- PostgreSQL grants TEMPORARY to PUBLIC on every new database; the owner revokes it (and the grant that
-- database-tier placements used to make). Runs in every placement; schema placements of one database
-- may be provisioned concurrently, so the revoke is serialised and made only where still needed.
do $$
begin
    if has_database_privilege('bulkhead_app', current_database(), 'TEMPORARY') then
        perform pg_advisory_xact_lock(hashtext('bulkhead.database-privileges'));
        if has_database_privilege('bulkhead_app', current_database(), 'TEMPORARY') then
            execute format('revoke temporary on database %I from public, bulkhead_app', current_database());
        end if;
    end if;
end
$$;
