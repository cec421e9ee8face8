-- A sealed value that does not open (copied from another tenant's or another row's place, altered, or
-- under a destroyed key) is refused and raises a seal_broken alert.
alter table control.alerts drop constraint if exists alerts_kind_check;
alter table control.alerts add constraint alerts_kind_check check (kind in (
    'cross_tenant_probe', 'id_enumeration', 'unknown_tenant', 'suspended_tenant', 'sub_in_several_tenants', 'seal_broken'));
