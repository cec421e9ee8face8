using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// The tenant's lifecycle lock: an advisory lock in the control plane, held by a move, an offboarding or a
/// status change for as long as it runs, so that no two of them interleave (a delete cannot purge a
/// placement a move is switching to, a resume cannot undo a delete). It is never waited for: a second
/// operation is refused at once, and the lock dies with its connection, so a crashed holder frees it.
/// </summary>
public sealed class TenantLock : IAsyncDisposable
{
    private const string Key = "hashtext('bulkhead.move'), hashtext($1::text)";

    private readonly NpgsqlConnection _connection;
    private readonly Guid _tenantId;

    private TenantLock(NpgsqlConnection connection, Guid tenantId)
    {
        _connection = connection;
        _tenantId = tenantId;
    }

    /// <summary>The control-plane connection the lock lives on, for work that must hold it.</summary>
    public NpgsqlConnection Connection => _connection;

    /// <exception cref="TenantBusyException">another lifecycle operation of the tenant is running.</exception>
    public static async Task<TenantLock> AcquireAsync(NpgsqlDataSource controlPlane, Guid tenantId, CancellationToken ct)
    {
        var connection = await controlPlane.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand($"select pg_try_advisory_lock({Key})", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            if (await command.ExecuteScalarAsync(ct) is not true)
            {
                throw new TenantBusyException("a move or deletion of this tenant is running; try again when it has finished.");
            }

            return new TenantLock(connection, tenantId);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand($"select pg_advisory_unlock({Key})", _connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _tenantId });
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }
}
