-- Chat: each tenant's configuration (every change is a new row, the newest wins), what the model
-- produced and what it cost, and the API keys of the OpenAI-compatible door.
create table tenant_config (
    tenant_id           uuid not null,
    id                  uuid not null,
    model               text check (length(model) between 1 and 200),
    temperature         real check (temperature between 0 and 2),
    max_tokens          integer check (max_tokens > 0),
    system_prompt       text check (length(system_prompt) <= 8000),
    retention_days      integer check (retention_days > 0),
    allowed_models      text[],
    -- The tenant's own provider key, sealed with AES-GCM by the server (tenant id as associated
    -- data); the API never returns it.
    provider_key_sealed bytea,
    changed_by          text not null,
    created_at          timestamptz not null default now(),
    primary key (tenant_id, id)
);

-- Assistant messages remember how they were made; an interrupted stream is stored as incomplete.
alter table messages
    add column status            text not null default 'complete' check (status in ('complete', 'incomplete')),
    add column model             text,
    add column prompt_tokens     integer check (prompt_tokens >= 0),
    add column completion_tokens integer check (completion_tokens >= 0);

create table chat_usage (
    tenant_id         uuid not null,
    id                uuid not null,
    user_id           uuid not null,
    model             text not null,
    source            text not null check (source in ('api', 'openai')),
    conversation_id   uuid,
    message_id        uuid,
    prompt_tokens     integer not null check (prompt_tokens >= 0),
    completion_tokens integer not null check (completion_tokens >= 0),
    complete          boolean not null,
    created_at        timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);

create index chat_usage_by_user on chat_usage (tenant_id, user_id, id);
create index chat_usage_by_model on chat_usage (tenant_id, model, id);

create table api_keys (
    tenant_id  uuid not null,
    id         uuid not null,
    name       text not null check (length(name) between 1 and 100),
    -- SHA-256 of the whole key; the key itself is shown once and never stored.
    key_hash   bytea not null check (length(key_hash) = 32),
    hint       text not null,
    created_by text not null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    primary key (tenant_id, id)
);

do $$
declare
    t text;
begin
    foreach t in array array['tenant_config', 'chat_usage', 'api_keys'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format($p$create policy tenant_isolation on %I for all
            using (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))
            with check (tenant_id = (select nullif(current_setting('app.tenant_id', true), '')::uuid))$p$, t);
        execute format('grant select, insert, update, delete on %I to bulkhead_app', t);
    end loop;
end
$$;
