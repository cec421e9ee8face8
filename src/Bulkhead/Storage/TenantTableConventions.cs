using Npgsql;

namespace Bulkhead.Storage;

/// <summary>
/// Brings every table with tenant_id in one placement schema to <see cref="TenantTableRules"/>, found in the
/// catalog, so a table added by a later migration is covered without edits. Only what is missing or extra
/// is changed (no ACCESS EXCLUSIVE lock on a table that already complies): a rerun is a no-op.
/// </summary>
public static class TenantTableConventions
{
    private const string StateSql = """
        select c.relname, c.relrowsecurity, c.relforcerowsecurity,
               exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = $2),
               exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = $3),
               array(select p from unnest($4::text[]) p where has_table_privilege($5, c.oid, p)),
               has_schema_privilege($5, n.oid, 'USAGE')
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
         where n.nspname = $1 and c.relkind in ('r', 'p')
         order by c.relname
        """;

    /// <summary>Applies the rules inside the caller's transaction and returns how many statements that took (0 when the schema already complies).</summary>
    public static async Task<int> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, CancellationToken ct)
    {
        var statements = new List<string>();
        var quotedSchema = Migrator.Quote(schema);
        var schemaUsable = true;
        await using (var command = new NpgsqlCommand(StateSql, connection, transaction))
        {
            foreach (var value in new object[] { schema, TenantTableRules.PolicyName, TenantTableRules.WriteGateTrigger, TenantTableRules.TablePrivileges.ToArray(), TenantTableRules.RuntimeRole })
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var table = reader.GetString(0);
                statements.AddRange(Missing(table, $"{quotedSchema}.{Migrator.Quote(table)}", quotedSchema,
                    reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetFieldValue<string[]>(5)));
                schemaUsable &= reader.GetBoolean(6);
            }
        }

        if (!schemaUsable)
        {
            statements.Add($"grant usage on schema {quotedSchema} to {TenantTableRules.RuntimeRole}");
        }

        if (statements.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var statement in statements)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
            }

            await batch.ExecuteNonQueryAsync(ct);
        }

        return statements.Count;
    }

    private static IEnumerable<string> Missing(string table, string quoted, string quotedSchema, bool enabled, bool forced, bool hasPolicy, bool hasGate, string[] granted)
    {
        if (!enabled)
        {
            yield return $"alter table {quoted} enable row level security";
        }

        if (!forced)
        {
            yield return $"alter table {quoted} force row level security";
        }

        if (!hasPolicy)
        {
            yield return $"create policy {TenantTableRules.PolicyName} on {quoted} for all " +
                $"using (tenant_id = {TenantTableRules.CurrentTenant}) with check (tenant_id = {TenantTableRules.CurrentTenant})";
        }

        var wanted = TenantTableRules.RuntimePrivileges(table);
        if (wanted.Except(granted).ToList() is { Count: > 0 } grant)
        {
            yield return $"grant {string.Join(", ", grant)} on {quoted} to {TenantTableRules.RuntimeRole}";
        }

        if (granted.Except(wanted).ToList() is { Count: > 0 } revoke)
        {
            yield return $"revoke {string.Join(", ", revoke)} on {quoted} from {TenantTableRules.RuntimeRole}";
        }

        if (TenantTableRules.BehindWriteGate(table) && !hasGate)
        {
            yield return $"create trigger {TenantTableRules.WriteGateTrigger} before insert or update or delete on {quoted} " +
                $"for each statement execute function {quotedSchema}.tenant_write_gate()";
        }
    }
}
