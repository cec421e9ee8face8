-- Every value of a plan in one row: the per-user chat limit, the cap on concurrent LLM calls and the
-- burst join the tenant rate and the monthly tokens (they were configuration, Bulkhead:Limits:Plans).
-- A null rate or quota is unlimited; a null burst inherits Bulkhead:Limits:BurstSeconds. Every plan has a
-- cap on concurrent LLM calls.
alter table control.plans
    add column user_requests_per_minute integer default 10 check (user_requests_per_minute > 0),
    add column max_concurrent_llm_calls integer not null default 4 check (max_concurrent_llm_calls > 0),
    add column burst_seconds            integer check (burst_seconds between 1 and 3600);

update control.plans set user_requests_per_minute = 10;
update control.plans set max_concurrent_llm_calls = 2 where name = 'basic';
update control.plans set max_concurrent_llm_calls = 8 where name = 'premium';
update control.plans set max_concurrent_llm_calls = 32 where name = 'enterprise';
