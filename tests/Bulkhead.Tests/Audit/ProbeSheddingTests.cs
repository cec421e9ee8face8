using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Audit;

/// <summary>
/// Probe work is shed under a flood, and raised alerts never are: a server whose probe queue holds one
/// check, its probe worker held, sheds the flood's checks and still records an alert raised meanwhile.
/// </summary>
public sealed partial class ProbeSheddingTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _server = await RunningServer.StartAsync(_database, new Dictionary<string, string?>
        {
            ["Bulkhead:Alerts:ProbeQueue"] = "1",
            ["Bulkhead:Alerts:ProbeChecksPerMinute"] = "1000000",
            ["Bulkhead:Alerts:EnumerationThreshold"] = "1000000",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task a_flood_of_404s_filled_the_shared_queue_and_silenced_everyones_alerts()
    {
        // The probe worker is held on a schema tenant's table, so probe work piles up behind it for certain.
        var victim = await _database.CreateTenantAsync(Tier.Schema);
        var flooder = await _database.CreateTenantAsync(Tier.Pooled);
        await using var hold = await _database.Owner.OpenConnectionAsync();
        await using var transaction = await hold.BeginTransactionAsync();
        await using (var lockTable = new Npgsql.NpgsqlCommand($"lock table \"{victim.Placement.Schema}\".conversations in access exclusive mode", hold, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        using var platform = _server.Client(TestKeys.PlatformToken());
        using var client = _server.Client(TestKeys.Token(flooder.Id, "flood"));
        await Eventually.UntilAsync(
            async () =>
            {
                for (var i = 0; i < 5; i++)
                {
                    Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/conversations/{Guid.CreateVersion7()}")).StatusCode);
                }

                return await DroppedAsync(platform) > 0;
            },
            TimeSpan.FromSeconds(30),
            "probe work shed behind the held probe");

        var marker = "ghost-" + Guid.NewGuid().ToString("N")[..8];
        using var ghost = _server.Client(TestKeys.Token(Guid.NewGuid(), marker));
        Assert.Equal(HttpStatusCode.Unauthorized, (await ghost.GetAsync("/api/me")).StatusCode);

        // Listed while the probe work is still stuck: raising does not wait behind it, let alone get dropped.
        await Eventually.UntilAsync(
            async () => (await platform.GetFromJsonAsync<JsonNode>("/api/admin/alerts?kind=unknown_tenant&limit=100"))!["items"]!.AsArray()
                .Any(a => a!["sub"]?.GetValue<string>() == marker),
            TimeSpan.FromSeconds(20),
            "the alert raised during the flood is listed");
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task one_404_probed_every_schema_placement_however_many_there_were()
    {
        var victim = await _database.CreateTenantAsync(Tier.Schema);
        var prober = await _database.CreateTenantAsync(Tier.Pooled);
        using var owner = _server.Client(TestKeys.Token(victim.Id, "alice"));
        var target = await owner.CreateConversationAsync("victim data");
        const string Probe = "select audit_private.report_probe($1, 'mallory', 'conversation', $2, $3)";

        var withNoSchemaPlacements = await ReportAsync(Probe, prober.Id, target, 0);
        var withTheDefaultCap = await ReportAsync("select audit_private.report_probe($1, 'mallory', 'conversation', $2)", prober.Id, target, null);

        Assert.Null(withNoSchemaPlacements);
        Assert.NotNull(withTheDefaultCap);
    }

    private async Task<object?> ReportAsync(string sql, Guid caller, Guid resource, int? cap)
    {
        await using var command = _database.App.CreateCommand(sql);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = caller });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = resource });
        if (cap is { } max)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = max });
        }

        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }

    private static async Task<long> DroppedAsync(HttpClient platform)
    {
        var text = await platform.GetStringAsync("/metrics");
        return Dropped().Matches(text).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^bulkhead_alerts_dropped\w*(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex Dropped();
}
