using Npgsql;

namespace Bulkhead.Audit;

/// <summary>
/// Audits the batches of one tenant session for one actor. <see cref="Record"/> makes a statement write its
/// own event; a batch in which nothing recorded itself gets a generic event for the request, sent right
/// after the tenant context and before the caller's statements, so a failed audit write fails the batch
/// before anything is read.
/// </summary>
public sealed class AuditRecorder(Guid tenantId, AuditActor actor)
{
    private readonly Dictionary<NpgsqlBatchCommand, AuditAction> _recorded = new(ReferenceEqualityComparer.Instance);

    public AuditActor Actor => actor;

    /// <summary>
    /// The statement as a CTE whose final select depends on the event's insert, so the event is written
    /// before the first row leaves the database; if the insert fails, the statement fails and nothing is served.
    /// </summary>
    public NpgsqlBatchCommand Record(AuditAction action, string? resourceId, NpgsqlBatchCommand command)
    {
        var sql = $"""
            with r as (
            {command.CommandText}
            ), {AuditSql.Ctes(command.Parameters.Count + 1, action.OutcomeSql, action.CountExpression)}
            select r.* from r where (select count(*) from a) = 1
            """;
        var wrapped = new NpgsqlBatchCommand(sql);
        foreach (NpgsqlParameter parameter in command.Parameters)
        {
            wrapped.Parameters.Add(parameter.Clone());
        }

        AuditSql.AddArguments(wrapped.Parameters, tenantId, actor, action.Name, action.ResourceType, resourceId);
        _recorded.Add(wrapped, action);
        return wrapped;
    }

    /// <summary>
    /// An event of its own with an outcome the code decided (a refused change, a change of several
    /// statements), to send in the batch it describes; that batch gets no generic event.
    /// </summary>
    public NpgsqlBatchCommand Event(AuditAction action, string? resourceId, AuditOutcome outcome, long? count)
    {
        var command = new NpgsqlBatchCommand(AuditSql.Statement(1, $"'{outcome.Text()}'", count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null"));
        AuditSql.AddArguments(command.Parameters, tenantId, actor, action.Name, action.ResourceType, resourceId);
        _recorded.Add(command, action);
        return command;
    }

    /// <summary>
    /// What a batch of <paramref name="commands"/> needs: the generic event when none of them records its
    /// own, and whether it may commit without waiting for the WAL flush (every statement an audited read).
    /// </summary>
    public BatchAudit Prepare(IReadOnlyList<NpgsqlBatchCommand> commands)
    {
        var recorded = 0;
        var reads = 0;
        foreach (var command in commands)
        {
            if (_recorded.Remove(command, out var action))
            {
                recorded++;
                reads += action.ReadOnly ? 1 : 0;
            }
        }

        if (recorded > 0)
        {
            return new BatchAudit(null, actor.RelaxedReads && reads == commands.Count);
        }

        var generic = new NpgsqlBatchCommand(AuditSql.Statement(1, "null", "null"));
        AuditSql.AddArguments(generic.Parameters, tenantId, actor, actor.Action, actor.ResourceType, actor.ResourceId);
        return new BatchAudit(generic, RelaxedCommit: false);
    }
}

/// <summary>The generic event to send ahead of a batch (null when its statements record their own) and its commit mode.</summary>
public readonly record struct BatchAudit(NpgsqlBatchCommand? Event, bool RelaxedCommit);
