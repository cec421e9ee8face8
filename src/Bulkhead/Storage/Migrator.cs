using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// Applies versioned migrations to one schema, as the owner role. Each schema records its own
/// versions in its <c>schema_migrations</c> table; an advisory lock per schema keeps two migrators
/// apart, and every migration commits with its version row, so a rerun resumes where one stopped.
/// After the tenant set, every table with tenant_id is brought to <see cref="TenantTableRules"/> (row-level
/// security, the fail-closed policy, the runtime role's privileges, the write gate), so migrations hold
/// tables, indexes and data only.
/// </summary>
public sealed class Migrator(NpgsqlDataSource owner, IReadOnlyList<Migration>? tenantMigrations = null)
{
    public const string ControlSchema = "control";

    public static int LatestVersion(MigrationSet set) => Migration.Load(set).Max(m => m.Version);

    public async Task<int> MigrateAsync(MigrationSet set, string schema, CancellationToken ct)
    {
        var applied = 0;
        var migrations = set == MigrationSet.Tenant && tenantMigrations is not null ? tenantMigrations : Migration.Load(set);
        foreach (var migration in migrations)
        {
            await using var connection = await owner.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            if (await ApplyAsync(connection, transaction, migration, schema, ct))
            {
                applied++;
            }

            await transaction.CommitAsync(ct);
        }

        if (set == MigrationSet.Tenant)
        {
            await using var connection = await owner.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await TenantTableConventions.ApplyAsync(connection, transaction, schema, ct);
            await transaction.CommitAsync(ct);
        }

        return applied;
    }

    /// <summary>Builds a schema inside the caller's transaction, so that a failure leaves nothing behind.</summary>
    public static async Task MigrateInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MigrationSet set, string schema, CancellationToken ct)
    {
        foreach (var migration in Migration.Load(set))
        {
            await ApplyAsync(connection, transaction, migration, schema, ct);
        }

        if (set == MigrationSet.Tenant)
        {
            await TenantTableConventions.ApplyAsync(connection, transaction, schema, ct);
        }
    }

    public async Task<int> CurrentVersionAsync(string schema, CancellationToken ct)
    {
        await using var connection = await owner.OpenConnectionAsync(ct);
        return await CurrentVersionAsync(connection, schema, ct);
    }

    public static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var probe = new NpgsqlCommand("select to_regclass(format('%I.schema_migrations', $1::text)) is not null", connection);
        probe.Parameters.Add(new NpgsqlParameter { Value = schema });
        if (await probe.ExecuteScalarAsync(ct) is not true)
        {
            return 0;
        }

        await using var read = new NpgsqlCommand($"select coalesce(max(version), 0) from {Quote(schema)}.schema_migrations", connection);
        return (int)(await read.ExecuteScalarAsync(ct))!;
    }

    private static async Task<bool> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Migration migration, string schema, CancellationToken ct)
    {
        var quoted = Quote(schema);
        await using (var prepare = new NpgsqlBatch(connection, transaction))
        {
            prepare.BatchCommands.Add(Sql.Command("select pg_advisory_xact_lock(hashtext('bulkhead.migrate'), hashtext($1))", schema));
            prepare.BatchCommands.Add(new NpgsqlBatchCommand($"create schema if not exists {quoted}"));
            prepare.BatchCommands.Add(new NpgsqlBatchCommand(
                $"create table if not exists {quoted}.schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())"));
            prepare.BatchCommands.Add(Sql.Command("select set_config('search_path', $1, true)", schema));
            await prepare.ExecuteNonQueryAsync(ct);
        }

        await using (var check = new NpgsqlCommand($"select exists (select 1 from {quoted}.schema_migrations where version = $1)", connection, transaction))
        {
            check.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
            if (await check.ExecuteScalarAsync(ct) is true)
            {
                return false;
            }
        }

        await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction))
        {
            await apply.ExecuteNonQueryAsync(ct);
        }

        await using (var record = new NpgsqlCommand($"insert into {quoted}.schema_migrations (version, name) values ($1, $2)", connection, transaction))
        {
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
            await record.ExecuteNonQueryAsync(ct);
        }

        return true;
    }

    // Schema names are validated identifiers (see Placement); quoting keeps DDL safe all the same.
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
