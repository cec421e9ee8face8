-- A tenant's override of the burst: how many seconds of its rates may come at once. Null inherits the
-- plan's burst (Bulkhead:Limits:Plans:{plan}:BurstSeconds, else Bulkhead:Limits:BurstSeconds, one minute).
alter table control.tenant_limits
    add column burst_seconds integer check (burst_seconds between 1 and 3600);
