-- The LLM token ledger: one row per reservation (reserved before the call, reconciled to the real
-- usage after it), and a running total per tenant and month that quota checks read and bump in the
-- same statement, so two concurrent reservations cannot both take the last tokens.
create table token_usage_months (
    tenant_id       uuid not null,
    month           date not null check (extract(day from month) = 1),
    used_tokens     bigint not null default 0 check (used_tokens >= 0),
    reserved_tokens bigint not null default 0 check (reserved_tokens >= 0),
    primary key (tenant_id, month)
);

create table token_ledger (
    tenant_id       uuid not null,
    id              uuid not null,
    month           date not null,
    sub             text not null check (length(sub) between 1 and 256),
    model           text not null check (length(model) between 1 and 200),
    reserved_tokens bigint not null check (reserved_tokens >= 0),
    used_tokens     bigint check (used_tokens >= 0),
    state           text not null default 'reserved' check (state in ('reserved', 'reconciled', 'released')),
    created_at      timestamptz not null default now(),
    settled_at      timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, month) references token_usage_months (tenant_id, month)
);

create index token_ledger_by_month on token_ledger (tenant_id, month, model);

do $$
declare
    t text;
begin
    foreach t in array array['token_usage_months', 'token_ledger'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I for all
            using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
            with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))$p$, t);
        execute format('grant select, insert, update, delete on %I to bulkhead_app', t);
    end loop;
end
$$;
