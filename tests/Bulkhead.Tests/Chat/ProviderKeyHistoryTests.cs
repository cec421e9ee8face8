using System.Net;
using System.Security.Cryptography;
using Bulkhead.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bulkhead.Tests.Chat;

/// <summary>A tenant's provider key lives in one overwritten row; configuration history says only that it changed.</summary>
public sealed class ProviderKeyHistoryTests(ChatFixture chat) : IClassFixture<ChatFixture>
{
    [Fact]
    public async Task a_removed_provider_key_stayed_at_rest_in_every_earlier_configuration_row()
    {
        var tenant = await chat.Database.CreateTenantAsync();
        using var admin = chat.Server.Client(TestKeys.Token(tenant.Id, "ada", "admin"));

        await admin.PutConfigAsync(new { provider_api_key = "sk-first-key" });
        await admin.PutConfigAsync(new { temperature = 1.2 });
        await admin.PutConfigAsync(new { provider_api_key = "sk-second-key" });
        await admin.PutAsync("/api/tenant/config", Http.Json("""{"provider_api_key": null}"""));

        var config = await (await admin.GetAsync("/api/tenant/config")).ReadJsonAsync();
        Assert.False(config["has_provider_key"]!.GetValue<bool>());
        Assert.Equal(1.2, config["temperature"]!.GetValue<double>(), 3);
        // The one bytea column of the history is the sealed system prompt (tenant content); no key is kept there.
        Assert.Equal("system_prompt", await chat.Database.ScalarAsync<string>(chat.Database.Owner,
            "select string_agg(column_name, ', ') from information_schema.columns where table_schema = 'app' and table_name = 'tenant_config' and data_type = 'bytea'"));
        Assert.Equal(0L, await chat.Database.ScalarAsync<long>(chat.Database.Owner,
            "select count(*) from app.provider_keys where tenant_id = $1 and sealed is not null", tenant.Id));
        Assert.Equal(
            ["set:1", "-", "changed:2", "removed:3"],
            await HistoryAsync(chat.Database.Owner, "app", tenant.Id));

        await admin.PutConfigAsync(new { provider_api_key = "sk-third-key" });
        Assert.Equal(1L, await chat.Database.ScalarAsync<long>(chat.Database.Owner,
            "select count(*) from app.provider_keys where tenant_id = $1 and sealed is not null and version = 4", tenant.Id));
        Assert.True((await (await admin.GetAsync("/api/tenant/config")).ReadJsonAsync())["has_provider_key"]!.GetValue<bool>());
    }

    [Fact]
    public async Task configuration_history_written_before_migration_0050_kept_its_sealed_keys()
    {
        var schema = "purge_" + Guid.NewGuid().ToString("N")[..8];
        var (keeps, removed) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        byte[] newest = [3, 3, 3];
        var migrations = Migration.Load(MigrationSet.Tenant);
        await InSchemaAsync(chat.Database.Owner, schema, migrations.Where(m => m.Version < 50).Select(m => m.Sql));
        await InSchemaAsync(chat.Database.Owner, schema, [
            "insert into tenant_config (tenant_id, id, provider_key_sealed, changed_by) values "
            + $"('{keeps}', '00000000-0000-7000-8000-000000000001', '\\x010101', 'ada'), "
            + $"('{keeps}', '00000000-0000-7000-8000-000000000002', '\\x010101', 'ada'), "
            + $"('{keeps}', '00000000-0000-7000-8000-000000000003', '\\x020202', 'ada'), "
            + $"('{keeps}', '00000000-0000-7000-8000-000000000004', null, 'ada'), "
            + $"('{keeps}', '00000000-0000-7000-8000-000000000005', '\\x030303', 'ada'), "
            + $"('{removed}', '00000000-0000-7000-8000-000000000006', '\\x040404', 'bo'), "
            + $"('{removed}', '00000000-0000-7000-8000-000000000007', null, 'bo')",
        ]);

        await InSchemaAsync(chat.Database.Owner, schema, [migrations.Single(m => m.Version == 50).Sql]);

        Assert.Equal(["set:1", "-", "changed:2", "removed:3", "set:4"], await HistoryAsync(chat.Database.Owner, schema, keeps));
        Assert.Equal(["set:1", "removed:2"], await HistoryAsync(chat.Database.Owner, schema, removed));
        await using var keys = chat.Database.Owner.CreateCommand($"select tenant_id, sealed, version from {schema}.provider_keys order by version desc");
        await using var reader = await keys.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, (byte[]? Sealed, int Version)>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetGuid(0)] = (reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetInt32(2));
        }

        Assert.Equal(newest, rows[keeps].Sealed);
        Assert.Equal(4, rows[keeps].Version);
        Assert.Null(rows[removed].Sealed);
        Assert.Equal(2, rows[removed].Version);
        await InSchemaAsync(chat.Database.Owner, schema, [$"drop schema {schema} cascade"]);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public async Task a_provider_key_secret_of_the_wrong_length_was_accepted_until_the_first_key_was_sealed(int bytes)
    {
        var start = RunningServer.StartAsync(chat.Database, new Dictionary<string, string?>
        {
            ["Bulkhead:Chat:ProviderKeySecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)),
        });

        var refused = await RefusedAsync(start);
        Assert.Contains("Bulkhead:Chat:ProviderKeySecret must be base64 of exactly 32", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"decodes to {bytes} bytes", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_provider_key_secret_that_is_not_base64_is_refused_at_start_up()
    {
        var refused = await RefusedAsync(RunningServer.StartAsync(chat.Database, new Dictionary<string, string?>
        {
            ["Bulkhead:Chat:ProviderKeySecret"] = "not base64 at all!",
        }));

        Assert.Contains("is not base64", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await chat.Server.Client().GetAsync("/healthz")).StatusCode);
    }

    private static async Task<OptionsValidationException> RefusedAsync(Task<RunningServer> start)
    {
        var thrown = await Record.ExceptionAsync(() => start);
        return Assert.IsType<OptionsValidationException>(thrown is AggregateException all ? all.InnerExceptions[0] : thrown);
    }

    private static async Task<List<string>> HistoryAsync(NpgsqlDataSource owner, string schema, Guid tenant)
    {
        await using var command = owner.CreateCommand(
            $"select provider_key_change, provider_key_version from {schema}.tenant_config where tenant_id = $1 order by id");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        await using var reader = await command.ExecuteReaderAsync();
        var history = new List<string>();
        while (await reader.ReadAsync())
        {
            history.Add(reader.IsDBNull(0) ? "-" : $"{reader.GetString(0)}:{reader.GetInt32(1)}");
        }

        return history;
    }

    private static async Task InSchemaAsync(NpgsqlDataSource owner, string schema, IEnumerable<string> statements)
    {
        await using var connection = await owner.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var path = new NpgsqlCommand($"create schema if not exists {schema}; select set_config('search_path', '{schema}', true)", connection, transaction))
        {
            await path.ExecuteNonQueryAsync();
        }

        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
