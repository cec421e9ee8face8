using Bulkhead.Audit;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// The only way to tenant data. Every batch it sends starts with the tenant context,
/// <c>set_config('app.tenant_id', $1, true)</c> and the placement's <c>search_path</c>, in the same
/// round trip as the statements that follow. Settings are transaction-local: without an explicit
/// transaction each batch is its own implicit transaction and carries its own context; inside one,
/// the first batch sets it for the rest.
/// <para>
/// A session opened with an <see cref="AuditActor"/> audits every batch in the same round trip: the
/// context statement also takes the tenant's audit lock, and a batch that holds no statement wrapped by
/// <see cref="Audited"/> gets a generic event for the request right after the context, before any
/// statement of the caller, so a failed audit write fails the batch before anything is read.
/// </para>
/// </summary>
public sealed class TenantSession : IAsyncDisposable
{
    private const string ContextSql =
        "select set_config('app.tenant_id', $1, true), set_config('search_path', $2, true)";

    private const string AuditedContextSql = ContextSql + " from " + AuditSql.LockSql;

    private readonly NpgsqlConnection _connection;
    private readonly HashSet<NpgsqlBatchCommand> _audited = [];
    private NpgsqlTransaction? _transaction;
    private bool _contextInTransaction;

    private TenantSession(TenantScope scope, NpgsqlConnection connection, AuditActor? actor)
    {
        Scope = scope;
        _connection = connection;
        Actor = actor;
    }

    public TenantScope Scope { get; }

    public Guid TenantId => Scope.TenantId;

    /// <summary>Who the statements are for; null for unaudited maintenance work (tests, the CLI's demo seed).</summary>
    public AuditActor? Actor { get; }

    public static Task<TenantSession> OpenAsync(TenantScope scope, IPlacementRouter router, CancellationToken ct) =>
        OpenAsync(scope, router, null, ct);

    public static async Task<TenantSession> OpenAsync(TenantScope scope, IPlacementRouter router, AuditActor? actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var connection = await router.OpenAsync(scope.Placement, ct);
        return new TenantSession(scope, connection, actor);
    }

    /// <summary>
    /// The command, made to record its own audit event (action, resource, status and row count) in the
    /// same statement. Unchanged when the session has no actor.
    /// </summary>
    public NpgsqlBatchCommand Audited(NpgsqlBatchCommand command, AuditEntry entry)
    {
        if (Actor is null)
        {
            return command;
        }

        var wrapped = AuditSql.Wrap(command, TenantId, Actor, entry);
        _audited.Add(wrapped);
        return wrapped;
    }

    /// <summary>Starts an explicit transaction for work that needs more than one round trip.</summary>
    public async Task BeginTransactionAsync(CancellationToken ct)
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("A transaction is already open on this tenant session.");
        }

        _transaction = await _connection.BeginTransactionAsync(ct);
        _contextInTransaction = false;
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        var transaction = _transaction ?? throw new InvalidOperationException("No transaction is open.");
        await transaction.CommitAsync(ct);
        await transaction.DisposeAsync();
        _transaction = null;
    }

    /// <summary>
    /// Sends the commands in one round trip behind the tenant context and returns a reader positioned
    /// on the first result set (commands that return no rows, like a plain INSERT, have none). The batch
    /// is atomic: it fails or succeeds as a whole.
    /// </summary>
    public async Task<NpgsqlDataReader> ReadAsync(CancellationToken ct, params NpgsqlBatchCommand[] commands)
    {
        var batch = new NpgsqlBatch(_connection, _transaction);
        var sendsContext = !_contextInTransaction;
        if (sendsContext)
        {
            batch.BatchCommands.Add(Sql.Command(Actor is null ? ContextSql : AuditedContextSql, Scope.TenantId.ToString(), Scope.Placement.Schema));
        }

        if (Actor is not null && commands.Count(_audited.Remove) == 0)
        {
            batch.BatchCommands.Add(AuditSql.Generic(TenantId, Actor));
        }

        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        var reader = await batch.ExecuteReaderAsync(ct);
        if (sendsContext)
        {
            await reader.NextResultAsync(ct);
        }

        _contextInTransaction = _transaction is not null;
        return reader;
    }

    /// <summary>Runs the commands in one round trip and returns the rows each one affected.</summary>
    public async Task<int[]> ExecuteAsync(CancellationToken ct, params NpgsqlBatchCommand[] commands)
    {
        await using (var reader = await ReadAsync(ct, commands))
        {
            while (await reader.NextResultAsync(ct))
            {
            }
        }

        return commands.Select(c => c.RecordsAffected).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        await _connection.DisposeAsync();
    }
}
