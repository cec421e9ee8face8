-- Per-tenant overrides of the plan's limits, set by the platform operator through
-- PUT /api/admin/tenants/{id}/limits. A null column inherits the plan.
create table control.tenant_limits (
    tenant_id                uuid primary key references control.tenants (id) on delete cascade,
    requests_per_minute      integer check (requests_per_minute > 0),
    user_requests_per_minute integer check (user_requests_per_minute > 0),
    monthly_tokens           bigint check (monthly_tokens > 0),
    max_concurrent_llm_calls integer check (max_concurrent_llm_calls > 0),
    updated_at               timestamptz not null default now()
);

-- The server writes overrides itself (the platform admin API runs as the runtime role); this table
-- holds no tenant content.
grant select, insert, update, delete on control.tenant_limits to bulkhead_app;
