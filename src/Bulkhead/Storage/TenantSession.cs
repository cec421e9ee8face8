using Bulkhead.Audit;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// The only way to tenant data. Every batch it sends starts with the tenant context,
/// <c>set_config('app.tenant_id', $1, true)</c>, the placement's <c>search_path</c> and its epoch (which
/// the write gate checks against the placement's fence), in the same
/// round trip as the statements that follow. Settings are transaction-local: without an explicit
/// transaction each batch is its own implicit transaction and carries its own context; inside one,
/// the first batch sets it for the rest. A session opened for an actor carries an
/// <see cref="AuditRecorder"/> and sends what it asks for with each batch.
/// </summary>
public sealed class TenantSession : IAsyncDisposable
{
    private const string ContextSql =
        "select set_config('app.tenant_id', $1, true), set_config('search_path', $2, true), set_config('app.placement_epoch', $3, true)";

    // A batch of audited reads only: its commit does not wait for the WAL flush (docs/compliance.md, "Durability").
    private const string RelaxedContextSql = ContextSql + ", set_config('synchronous_commit', 'off', true)";

    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;
    private bool _contextInTransaction;

    private TenantSession(TenantScope scope, NpgsqlConnection connection, AuditRecorder? audit)
    {
        Scope = scope;
        _connection = connection;
        Audit = audit;
    }

    public TenantScope Scope { get; }

    public Guid TenantId => Scope.TenantId;

    private string EpochText => Scope.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Audits every batch; null for unaudited maintenance work (the sealer, tests, the CLI's demo seed).</summary>
    public AuditRecorder? Audit { get; }

    public static Task<TenantSession> OpenAsync(TenantScope scope, IPlacementRouter router, CancellationToken ct) =>
        OpenAsync(scope, router, null, ct);

    public static async Task<TenantSession> OpenAsync(TenantScope scope, IPlacementRouter router, AuditActor? actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var connection = await router.OpenAsync(scope.Placement, ct);
        return new TenantSession(scope, connection, actor is null ? null : new AuditRecorder(scope.TenantId, actor));
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
        // The context died with the transaction: the next batch must send it again.
        _contextInTransaction = false;
    }

    /// <summary>
    /// Sends the commands in one round trip behind the tenant context and returns a reader positioned
    /// on the first result set (commands that return no rows, like a plain INSERT, have none). The batch
    /// is atomic: it fails or succeeds as a whole.
    /// </summary>
    public async Task<NpgsqlDataReader> ReadAsync(CancellationToken ct, params NpgsqlBatchCommand[] commands)
    {
        var batch = new NpgsqlBatch(_connection, _transaction);
        var audit = Audit?.Prepare(commands) ?? default;
        var sendsContext = !_contextInTransaction;
        if (sendsContext)
        {
            // Only a batch that is its own transaction may relax its commit: an explicit one may write later.
            var context = audit.RelaxedCommit && _transaction is null ? RelaxedContextSql : ContextSql;
            batch.BatchCommands.Add(Sql.Command(context, Scope.TenantId.ToString(), Scope.Placement.Schema, EpochText));
        }

        if (audit.Event is { } generic)
        {
            batch.BatchCommands.Add(generic);
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
