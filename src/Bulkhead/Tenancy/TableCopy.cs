using Bulkhead.Storage;
using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// Copies one tenant's rows of one table between placements with binary COPY, and brings a copy up to
/// date by primary key and row hash. Runs as the owner role on both sides (no tenant context, so the
/// write gate lets it through).
/// </summary>
public sealed class TableCopy(string table, IReadOnlyList<string> columns, IReadOnlyList<string> keyColumns, string? indexOrder = null)
{
    /// <summary>How many buckets of primary keys <see cref="BucketSumsAsync"/> sums rows into.</summary>
    public const int Buckets = 4096;

    public string Table => table;

    private string ColumnList => string.Join(", ", columns.Select(Migrator.Quote));

    private string KeyExpression => "row(" + string.Join(", ", keyColumns.Select(c => "t." + Migrator.Quote(c))) + ")::text";

    public static async Task<TableCopy> DescribeAsync(NpgsqlConnection connection, string schema, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select array_agg(a.attname::text order by a.attnum),
                   array_agg(a.attname::text order by a.attnum) filter (where a.attnum = any (i.indkey::int2[]) and a.attname <> 'tenant_id')
              from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
              join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
              left join pg_index i on i.indrelid = c.oid and i.indisprimary
             where n.nspname = $1 and c.relname = $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var keys = reader.IsDBNull(1) ? [] : reader.GetFieldValue<string[]>(1);
        if (keys.Length == 0)
        {
            // A table of one row per tenant (its primary key is tenant_id alone; the catalog lint gives every
            // tenant table a primary key that leads with tenant_id): that row is its own key.
            keys = ["tenant_id"];
        }

        var all = reader.GetFieldValue<string[]>(0);
        await reader.CloseAsync();
        return new TableCopy(table, all, keys, await IndexOrderAsync(connection, schema, table, ct));
    }

    // The key of the table's widest plain secondary index, as an ORDER BY list (null without one). Rows that
    // arrive in that order append to the index's right edge instead of landing on random pages of it: a
    // shared pooled table keeps its indexes through a load, and in `bench move` this order took a sixth off it.
    private static async Task<string?> IndexOrderAsync(NpgsqlConnection connection, string schema, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select (select string_agg(quote_ident(a.attname) || case when i.indoption[k.i - 1] & 1 = 1 then ' desc' else '' end, ', ' order by k.i)
                      from unnest(i.indkey::int2[]) with ordinality k(n, i)
                      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.n
                     where k.i <= i.indnkeyatts)
              from pg_index i
              join pg_class c on c.oid = i.indrelid
              join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = $1 and c.relname = $2 and not i.indisprimary and not i.indisunique
               and i.indexprs is null and i.indpred is null
             order by i.indnkeyatts desc, i.indexrelid
             limit 1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>How many rows of the tenant the table holds (in the caller's snapshot, when it has one).</summary>
    public async Task<long> CountAsync(Guid tenantId, NpgsqlConnection source, string sourceSchema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select count(*) from {Qualified(sourceSchema)} where tenant_id = $1", source);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Whether the table holds no row at all (of any tenant) in the schema.</summary>
    public async Task<bool> IsEmptyAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select not exists (select 1 from {Qualified(schema)})", connection);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Streams every row of the tenant from source to target; <paramref name="inIndexOrder"/> when the target
    /// keeps its indexes through the load (the source sorts, the target's secondary index grows at its edge).
    /// </summary>
    public async Task CopyAllAsync(Guid tenantId, NpgsqlConnection source, string sourceSchema, NpgsqlConnection target, string targetSchema, CancellationToken ct,
        bool inIndexOrder = false)
    {
        var order = inIndexOrder && indexOrder is not null ? $" order by {indexOrder}" : "";
        var select = $"select {ColumnList} from {Qualified(sourceSchema)} where tenant_id = '{tenantId:D}'{order}";
        await PipeAsync(source, select, target, $"{Qualified(targetSchema)} ({ColumnList})", ct);
    }

    /// <summary>
    /// Upserts the rows of the tenant that are missing from the target or differ there, in the given
    /// buckets (see <see cref="BucketSumsAsync"/>) or, without buckets, in the whole table. Parents first.
    /// </summary>
    public async Task<long> UpsertStaleAsync(Guid tenantId, NpgsqlConnection source, string sourceSchema, NpgsqlConnection target, string targetSchema, CancellationToken ct,
        IReadOnlyCollection<int>? buckets = null)
    {
        var inSource = await RowHashesAsync(source, sourceSchema, tenantId, ct, buckets);
        var inTarget = await RowHashesAsync(target, targetSchema, tenantId, ct, buckets);
        var stale = inSource.Where(r => !inTarget.TryGetValue(r.Key, out var hash) || hash != r.Value).Select(r => r.Key).ToList();
        if (stale.Count == 0)
        {
            return 0;
        }

        await LoadKeysAsync(source, stale, ct);
        await ExecuteAsync(target, $"create temp table bh_rows as select {ColumnList} from {Qualified(targetSchema)} with no data", ct);
        var select = $"select {ColumnList} from {Qualified(sourceSchema)} t where tenant_id = '{tenantId:D}' and {KeyExpression} in (select k from bh_keys)";
        await PipeAsync(source, select, target, $"bh_rows ({ColumnList})", ct);
        var keys = string.Join(", ", keyColumns.Prepend("tenant_id").Distinct().Select(Migrator.Quote));
        var others = columns.Where(c => c != "tenant_id" && !keyColumns.Contains(c)).ToList();
        var onConflict = others.Count == 0
            ? "do nothing"
            : "do update set " + string.Join(", ", others.Select(c => $"{Migrator.Quote(c)} = excluded.{Migrator.Quote(c)}"));
        await ExecuteAsync(target, $"insert into {Qualified(targetSchema)} ({ColumnList}) select {ColumnList} from bh_rows on conflict ({keys}) {onConflict}", ct);
        await ExecuteAsync(target, "drop table bh_rows", ct);
        await ExecuteAsync(source, "drop table bh_keys", ct);
        return stale.Count;
    }

    /// <summary>
    /// Appends the tenant's rows that the target does not have (by primary key), for tables whose rows never
    /// change (the audit trail): nothing in the target is overwritten.
    /// </summary>
    public async Task<long> CopyMissingAsync(Guid tenantId, NpgsqlConnection source, string sourceSchema, NpgsqlConnection target, string targetSchema, CancellationToken ct)
    {
        if (!await HasRowsAsync(target, targetSchema, tenantId, ct))
        {
            // Nothing to compare with: the whole table goes, without hashing every row first.
            await CopyAllAsync(tenantId, source, sourceSchema, target, targetSchema, ct);
            return await CountAsync(target, targetSchema, tenantId, ct);
        }

        var inTarget = await RowHashesAsync(target, targetSchema, tenantId, ct);
        var missing = (await RowHashesAsync(source, sourceSchema, tenantId, ct)).Keys.Where(k => !inTarget.ContainsKey(k)).ToList();
        if (missing.Count == 0)
        {
            return 0;
        }

        await LoadKeysAsync(source, missing, ct);
        var select = $"select {ColumnList} from {Qualified(sourceSchema)} t where tenant_id = '{tenantId:D}' and {KeyExpression} in (select k from bh_keys)";
        await PipeAsync(source, select, target, $"{Qualified(targetSchema)} ({ColumnList})", ct);
        await ExecuteAsync(source, "drop table bh_keys", ct);
        return missing.Count;
    }

    /// <summary>How many of the tenant's source rows the target lacks or holds differently.</summary>
    public async Task<long> MissingOrDifferentAsync(Guid tenantId, NpgsqlConnection source, string sourceSchema, NpgsqlConnection target, string targetSchema, CancellationToken ct)
    {
        var inTarget = await RowHashesAsync(target, targetSchema, tenantId, ct);
        return (await RowHashesAsync(source, sourceSchema, tenantId, ct)).Count(r => !inTarget.TryGetValue(r.Key, out var hash) || hash != r.Value);
    }

    /// <summary>Deletes the target's rows of the tenant that the source no longer has, in the given buckets or the whole table. Children first.</summary>
    public async Task<long> DeleteGoneAsync(Guid tenantId, NpgsqlConnection source, string sourceSchema, NpgsqlConnection target, string targetSchema, CancellationToken ct,
        IReadOnlyCollection<int>? buckets = null)
    {
        var inSource = await RowHashesAsync(source, sourceSchema, tenantId, ct, buckets);
        var gone = (await RowHashesAsync(target, targetSchema, tenantId, ct, buckets)).Keys.Where(k => !inSource.ContainsKey(k)).ToList();
        if (gone.Count == 0)
        {
            return 0;
        }

        await LoadKeysAsync(target, gone, ct);
        await ExecuteAsync(target, $"delete from {Qualified(targetSchema)} t where tenant_id = '{tenantId:D}' and {KeyExpression} in (select k from bh_keys)", ct);
        await ExecuteAsync(target, "drop table bh_keys", ct);
        return gone.Count;
    }

    /// <summary>Row count and an order-independent checksum of the tenant's rows.</summary>
    public async Task<(long Rows, string Checksum)> ChecksumAsync(NpgsqlConnection connection, string schema, Guid tenantId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select count(*), coalesce(md5(string_agg(h, '' order by h)), '') from (select md5(row({ColumnList})::text) h from {Qualified(schema)} where tenant_id = $1) r",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>
    /// Row count and the sum of 64-bit row hashes per bucket of primary keys (<see cref="Buckets"/> of them),
    /// computed by the server in one scan: two placements hold the same rows exactly where every bucket
    /// agrees, and where one does not, only that bucket's rows need comparing. Optionally only some buckets.
    /// </summary>
    public async Task<Dictionary<int, (long Rows, decimal Sum)>> BucketSumsAsync(NpgsqlConnection connection, string schema, Guid tenantId, CancellationToken ct,
        IReadOnlyCollection<int>? buckets = null)
    {
        await using var command = new NpgsqlCommand(
            $"select {BucketExpression}, count(*), sum({RowHash64}) from {Qualified(schema)} t where tenant_id = $1 {BucketFilter(buckets)} group by 1",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        AddBuckets(command, buckets);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var sums = new Dictionary<int, (long, decimal)>();
        while (await reader.ReadAsync(ct))
        {
            sums[reader.GetInt32(0)] = (reader.GetInt64(1), reader.GetDecimal(2));
        }

        return sums;
    }

    private string BucketExpression => $"(hashtext({KeyExpression}) & {Buckets - 1})";

    private string RowHash => $"md5({RowValue}::text)";

    // The server's own 64-bit hash of the row's values (each column type's hash function): several times
    // cheaper than md5 of the row's text, which matters in the frozen round's scan of the source.
    private string RowHash64 => $"hash_record_extended({RowValue}, 0)";

    private string RowValue => $"row({string.Join(", ", columns.Select(c => "t." + Migrator.Quote(c)))})";

    private string BucketFilter(IReadOnlyCollection<int>? buckets) => buckets is null ? "" : $"and {BucketExpression} = any($2)";

    private static void AddBuckets(NpgsqlCommand command, IReadOnlyCollection<int>? buckets)
    {
        if (buckets is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = buckets.ToArray() });
        }
    }

    private async Task<Dictionary<string, string>> RowHashesAsync(NpgsqlConnection connection, string schema, Guid tenantId, CancellationToken ct,
        IReadOnlyCollection<int>? buckets = null)
    {
        await using var command = new NpgsqlCommand(
            $"select {KeyExpression}, {RowHash} from {Qualified(schema)} t where tenant_id = $1 {BucketFilter(buckets)}",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        AddBuckets(command, buckets);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            hashes[reader.GetString(0)] = reader.GetString(1);
        }

        return hashes;
    }

    private static async Task LoadKeysAsync(NpgsqlConnection connection, IReadOnlyList<string> keys, CancellationToken ct)
    {
        await ExecuteAsync(connection, "create temp table bh_keys (k text primary key)", ct);
        await using var import = await connection.BeginBinaryImportAsync("copy bh_keys (k) from stdin (format binary)", ct);
        foreach (var key in keys)
        {
            await import.WriteRowAsync(ct, key);
        }

        await import.CompleteAsync(ct);
    }

    private async Task<long> CountAsync(NpgsqlConnection connection, string schema, Guid tenantId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select count(*) from {Qualified(schema)} where tenant_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task<bool> HasRowsAsync(NpgsqlConnection connection, string schema, Guid tenantId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select exists (select 1 from {Qualified(schema)} where tenant_id = $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task PipeAsync(NpgsqlConnection source, string select, NpgsqlConnection target, string into, CancellationToken ct)
    {
        await using (var reader = await source.BeginRawBinaryCopyAsync($"copy ({select}) to stdout (format binary)", ct))
        await using (var writer = await target.BeginRawBinaryCopyAsync($"copy {into} from stdin (format binary)", ct))
        {
            await reader.CopyToAsync(writer, ct);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private string Qualified(string schema) => $"{Migrator.Quote(schema)}.{Migrator.Quote(table)}";
}
