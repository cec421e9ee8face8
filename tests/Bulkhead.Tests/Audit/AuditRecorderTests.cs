using Bulkhead.Audit;
using Bulkhead.Storage;

namespace Bulkhead.Tests.Audit;

/// <summary>Which batches may commit without waiting for the WAL flush: audited reads only, and only when the actor allows it.</summary>
public sealed class AuditRecorderTests
{
    private static readonly Guid Tenant = Guid.CreateVersion7();

    [Fact]
    public void a_batch_of_audited_reads_commits_relaxed_when_the_actor_allows_it()
    {
        var recorder = new AuditRecorder(Tenant, TrailKit.Actor() with { RelaxedReads = true });
        var read = recorder.Record(AuditActions.ConversationRead, "x", Sql.Command("select 1 where $1::uuid is not null", Tenant));

        var batch = recorder.Prepare([read]);

        Assert.True(batch.RelaxedCommit);
        Assert.Null(batch.Event);
    }

    [Fact]
    public void a_batch_with_a_write_or_an_unaudited_statement_waits_for_its_flush()
    {
        var recorder = new AuditRecorder(Tenant, TrailKit.Actor() with { RelaxedReads = true });
        var write = recorder.Record(AuditActions.ConversationCreate, "x", Sql.Command("select 1"));
        var read = recorder.Record(AuditActions.ConversationList, null, Sql.Command("select 1"));

        Assert.False(recorder.Prepare([write, read]).RelaxedCommit);
        Assert.False(recorder.Prepare([recorder.Record(AuditActions.ConversationList, null, Sql.Command("select 1")), Sql.Command("update x set y = 1")]).RelaxedCommit);
    }

    [Fact]
    public void durable_reads_wait_for_their_flush()
    {
        var recorder = new AuditRecorder(Tenant, TrailKit.Actor());

        Assert.False(recorder.Prepare([recorder.Record(AuditActions.ConversationRead, "x", Sql.Command("select 1"))]).RelaxedCommit);
    }

    [Fact]
    public void a_batch_that_records_nothing_gets_a_generic_event_first_and_commits_durably()
    {
        var recorder = new AuditRecorder(Tenant, TrailKit.Actor() with { RelaxedReads = true });

        var batch = recorder.Prepare([Sql.Command("select 1")]);

        Assert.False(batch.RelaxedCommit);
        Assert.StartsWith("with p as (\ninsert into audit_client_addresses", batch.Event!.CommandText, StringComparison.Ordinal);
        Assert.Contains("\ninsert into audit_events", batch.Event.CommandText, StringComparison.Ordinal);
        Assert.Equal(12, batch.Event.Parameters.Count);
    }

    [Fact]
    public void the_event_parameters_are_numbered_after_the_statements_own()
    {
        var recorder = new AuditRecorder(Tenant, TrailKit.Actor());

        var wrapped = recorder.Record(AuditActions.ConversationRead, "x", Sql.Command("select $1, $2, $3", 1, 2, 3));

        Assert.Equal(15, wrapped.Parameters.Count);
        Assert.Contains("select $4, $13::text, $14::bytea, $15::text", wrapped.CommandText, StringComparison.Ordinal);
        Assert.Contains("values ($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, case when exists (select 1 from r) then 'ok' else 'not_found' end", wrapped.CommandText, StringComparison.Ordinal);
    }
}
