using System.Globalization;
using Bulkhead.Host.Auth;
using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Bulkhead.Tests.Isolation;

/// <summary>
/// The leak fuzzer against the real server and PostgreSQL. Set BULKHEAD_FUZZ_SEED to replay a run and
/// BULKHEAD_FUZZ_PROBES to send more probes.
/// </summary>
public sealed class LeakFuzzerTests(ITestOutputHelper output)
{
    private const int MinimumProbes = 10_000;

    [Fact]
    public async Task no_endpoint_leaks_across_tenants_under_ten_thousand_probes()
    {
        var seed = Environment.GetEnvironmentVariable("BULKHEAD_FUZZ_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var budget = Environment.GetEnvironmentVariable("BULKHEAD_FUZZ_PROBES") is { Length: > 0 } p ? int.Parse(p, CultureInfo.InvariantCulture) : MinimumProbes;
        await using var db = await TestDatabase.CreateAsync();
        var tenants = await ProvisionEveryTierAsync(db);
        await using var server = await RunningServer.StartAsync(db);

        var fuzzer = new LeakFuzzer(server, db, tenants, seed, Log);
        await fuzzer.RunAsync(budget);

        Assert.True(fuzzer.Probes >= MinimumProbes, $"only {fuzzer.Probes} probes were sent");
        Assert.True(fuzzer.Findings.Count == 0, $"seed {seed}: " + string.Join(Environment.NewLine, fuzzer.Findings));
    }

    /// <summary>
    /// The fuzzer can fail: a handler that drops its tenant filter, on a table whose row-level security is
    /// off (the server only starts with the unsafe override), is found and named.
    /// </summary>
    [Fact]
    public async Task a_handler_that_drops_its_tenant_filter_is_caught_leaking_canaries()
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.SuperuserAsync("""
            create table app.planted_notes (tenant_id uuid not null, id uuid not null default gen_random_uuid(), body text not null, primary key (tenant_id, id));
            alter table app.planted_notes owner to bulkhead_owner;
            grant select, insert on app.planted_notes to bulkhead_app;
            """);
        var tenants = await ProvisionAsync(db);
        await using var server = await RunningServer.StartAsync(db, new Dictionary<string, string?> { ["Bulkhead:UnsafeSkipIsolationChecks"] = "true" }, PlantLeak);

        var fuzzer = new LeakFuzzer(server, db, tenants, seed: 7, Log);
        await fuzzer.RunAsync(budget: 200);

        Assert.Contains(fuzzer.Findings, f => f.StartsWith("GET /api/planted/notes as ", StringComparison.Ordinal) && f.Contains("LEAK of tenant", StringComparison.Ordinal));
    }

    private static void PlantLeak(WebApplication app)
    {
        var notes = app.MapGroup("/api/planted/notes").RequireAuthorization(Policies.Tenant);
        notes.MapPost("", async (PlantedNote note, TenantCaller caller, CancellationToken ct) =>
        {
            await using var session = await caller.OpenSessionAsync(ct);
            await session.ExecuteAsync(ct, Sql.Command("insert into planted_notes (tenant_id, body) values ($1, $2)", caller.Tenant.Id, note.Body ?? ""));
            return TypedResults.Created();
        });
        // The planted bug: no tenant_id in the WHERE clause, and no row-level security to catch it.
        notes.MapGet("", async (TenantCaller caller, CancellationToken ct) =>
        {
            await using var session = await caller.OpenSessionAsync(ct);
            await using var reader = await session.ReadAsync(ct, Sql.Command("select body from planted_notes order by body"));
            var bodies = new List<string>();
            while (await reader.ReadAsync(ct))
            {
                bodies.Add(reader.GetString(0));
            }

            return TypedResults.Ok(new { items = bodies });
        });
    }

    /// <summary>
    /// A tenant in every tier there is (a new tier is picked up without an edit) and a second pooled
    /// one, since pooled tenants share tables; all provisioned like production, on the unlimited plan
    /// so that quotas do not answer for isolation.
    /// </summary>
    private static async Task<List<Tenant>> ProvisionEveryTierAsync(TestDatabase db)
    {
        var tenants = new List<Tenant> { await db.CreateTenantAsync(Tier.Pooled, plan: "enterprise") };
        foreach (var tier in Enum.GetValues<Tier>())
        {
            tenants.Add(await db.CreateTenantAsync(tier, plan: "enterprise"));
        }

        return tenants;
    }

    /// <summary>Three pooled tenants with the same users, on the unlimited plan so that quotas do not answer for isolation.</summary>
    private static async Task<List<Tenant>> ProvisionAsync(TestDatabase db)
    {
        var tenants = new List<Tenant>();
        for (var i = 0; i < 3; i++)
        {
            tenants.Add(await db.CreateTenantAsync(plan: "enterprise"));
        }

        return tenants;
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}

public sealed record PlantedNote(string? Body);
