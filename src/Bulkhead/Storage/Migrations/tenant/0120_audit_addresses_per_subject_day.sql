-- Fewer writes per audited request.
--
-- A client address is stored once per subject, token, address and day on each server process,
-- instead of once per event: events of that group share one salt, so they hold the same commitment
-- ('sha256:' || hex(sha256(salt || address)), see Bulkhead.Audit.ClientAddressCommitment), and the row
-- here is keyed by it. An event finds its address by its commitment; an erasure deletes the rows of
-- the subject's commitments. The request's insert does nothing when the row is there already.
alter table audit_client_addresses add column commitment text;
update audit_client_addresses a set commitment = e.client_address
  from audit_events e where e.tenant_id = a.tenant_id and e.id = a.event_id;
-- A row whose event is gone (it was never reachable by any reader) has nothing to be found by.
delete from audit_client_addresses where commitment is null;
alter table audit_client_addresses drop constraint audit_client_addresses_pkey;
alter table audit_client_addresses drop column event_id;
alter table audit_client_addresses alter column commitment set not null;
alter table audit_client_addresses add constraint audit_client_addresses_commitment_check check (commitment like 'sha256:%');
alter table audit_client_addresses add primary key (tenant_id, commitment);

-- The trail filtered by action is for the rarer actions: the high-volume reads (lists and reads of
-- conversations and messages) stay out of this index, so that an audited read updates one index less.
-- A filter on one of those actions reads the trail in id order instead.
drop index audit_events_by_action;
create index audit_events_by_action on audit_events (tenant_id, action, id desc)
    where action not in ('conversation.list', 'conversation.read', 'message.list');
