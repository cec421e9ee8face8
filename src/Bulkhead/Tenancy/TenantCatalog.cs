using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>Reads and writes tenants in the control plane. Writes need the owner's data source.</summary>
public sealed class TenantCatalog(NpgsqlDataSource controlPlane)
{
    private readonly PlanCatalog _plans = new(controlPlane);

    private const string Select =
        "select t.id, t.slug, t.name, t.plan, t.status, t.created_at, p.tier, p.server, p.database, p.schema_name, p.epoch " +
        "from control.tenants t join control.placements p on p.tenant_id = t.id ";

    public async Task<Tenant?> FindAsync(Guid id, CancellationToken ct)
        => (await QueryAsync(Select + "where t.id = $1", ct, id)).SingleOrDefault();

    /// <summary>Finds a tenant by slug or by id, as every CLI verb accepts either.</summary>
    public async Task<Tenant?> FindAsync(string slugOrId, CancellationToken ct)
        => Guid.TryParse(slugOrId, out var id)
            ? await FindAsync(id, ct)
            : (await QueryAsync(Select + "where t.slug = $1", ct, slugOrId)).SingleOrDefault();

    public Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken ct) => QueryAsync(Select + "order by t.slug", ct);

    /// <summary>Creates a tenant in the shared tables. Other tiers: <see cref="TenantProvisioner"/>.</summary>
    public async Task<Tenant> CreateAsync(string slug, string name, string plan, CancellationToken ct)
    {
        TenantRules.Validate(slug, name, plan, await _plans.NamesAsync(ct));
        var id = Guid.CreateVersion7();
        await using var connection = await controlPlane.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await InsertAsync(connection, transaction, id, slug, name, plan, TenantStatus.Active, Placement.Pooled, ct);
        await transaction.CommitAsync(ct);
        return (await FindAsync(id, ct))!;
    }

    /// <summary>Inserts the tenant and its placement inside the caller's transaction.</summary>
    public static async Task InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, string slug, string name, string plan,
        TenantStatus status, Placement placement, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Sql.Command("insert into control.tenants (id, slug, name, plan, status) values ($1, $2, $3, $4, $5)", id, slug, name, plan, Lower(status)));
        batch.BatchCommands.Add(Sql.Command(
            "insert into control.placements (tenant_id, tier, server, database, schema_name) values ($1, $2, $3, $4, $5)",
            id, Lower(placement.Tier), placement.Server, placement.Database, placement.Schema));
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new TenantRuleException($"A tenant with slug '{slug}' already exists.");
        }
    }

    public static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>Changes name and plan where given; returns false when the tenant does not exist.</summary>
    public async Task<bool> UpdateAsync(Guid id, string? name, string? plan, CancellationToken ct)
    {
        if (name is not null && (string.IsNullOrWhiteSpace(name) || name.Length > 200))
        {
            throw new TenantRuleException("name must be 1-200 characters.");
        }

        if (plan is not null && TenantRules.PlanProblem(plan, await _plans.NamesAsync(ct)) is { } problem)
        {
            throw new TenantRuleException(problem + ".");
        }

        await using var command = controlPlane.CreateCommand(
            "update control.tenants set name = coalesce($2, name), plan = coalesce($3, plan) where id = $1 and status not in ('deleting', 'deleted')");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)plan ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Suspends or resumes a tenant under its lifecycle lock (<see cref="TenantLock"/>), so that no move or
    /// offboarding runs meanwhile; false when the tenant is not active or suspended.
    /// </summary>
    public async Task<bool> SuspendOrResumeAsync(Guid id, bool suspend, CancellationToken ct)
    {
        await using var held = await TenantLock.AcquireAsync(controlPlane, id, ct);
        await using var command = new NpgsqlCommand("update control.tenants set status = $2 where id = $1 and status in ('active', 'suspended')", held.Connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = Lower(suspend ? TenantStatus.Suspended : TenantStatus.Active) });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Sets the status without the lifecycle lock: for a tenant no one else can know yet (provisioning).</summary>
    public async Task<bool> SetStatusAsync(Guid id, TenantStatus status, CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand("update control.tenants set status = $2 where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = Lower(status) });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    private async Task<IReadOnlyList<Tenant>> QueryAsync(string sql, CancellationToken ct, params object[] args)
    {
        await using var batch = controlPlane.CreateBatch();
        batch.BatchCommands.Add(Sql.Command(sql, args));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var tenants = new List<Tenant>();
        while (await reader.ReadAsync(ct))
        {
            var placement = new Placement(
                Enum.Parse<Tier>(reader.GetString(6), ignoreCase: true),
                reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetString(9));
            tenants.Add(new Tenant(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                Enum.Parse<TenantStatus>(reader.GetString(4), ignoreCase: true),
                placement,
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetInt64(10)));
        }

        return tenants;
    }
}
