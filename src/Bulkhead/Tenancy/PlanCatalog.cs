using Npgsql;

namespace Bulkhead.Tenancy;

/// <summary>
/// Every plan, from <c>control.plans</c> (which a database-tier tenant's own database does not hold): the
/// one source of plan names and plan values. Plans are shared by every tenant and change rarely, so the
/// whole table is cached for <see cref="TimeToLive"/>.
/// </summary>
public sealed class PlanCatalog(NpgsqlDataSource controlPlane, TimeProvider time)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);

    // Smallest plan first, the order plan names are listed in errors.
    private const string Query = """
        select name, requests_per_minute, user_requests_per_minute, monthly_tokens, max_concurrent_llm_calls, burst_seconds,
               max_tokens, chat_model, chat_temperature, chat_system_prompt, chat_retention_days, chat_models
          from control.plans
         order by max_tokens, name
        """;

    private Snapshot? _snapshot;

    public PlanCatalog(NpgsqlDataSource controlPlane)
        : this(controlPlane, TimeProvider.System)
    {
    }

    public async ValueTask<IReadOnlyList<Plan>> ListAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_snapshot is { } snapshot && snapshot.Expires > now)
        {
            return snapshot.Plans;
        }

        var plans = await LoadAsync(ct);
        _snapshot = new Snapshot(plans, now + TimeToLive);
        return plans;
    }

    public async ValueTask<Plan?> FindAsync(string name, CancellationToken ct) =>
        (await ListAsync(ct)).FirstOrDefault(p => p.Name == name);

    public async ValueTask<Plan> GetAsync(string name, CancellationToken ct) =>
        await FindAsync(name, ct) ?? throw new InvalidOperationException($"The plan '{name}' is not in the control plane.");

    public async ValueTask<IReadOnlyList<string>> NamesAsync(CancellationToken ct) => [.. (await ListAsync(ct)).Select(p => p.Name)];

    private async Task<IReadOnlyList<Plan>> LoadAsync(CancellationToken ct)
    {
        await using var command = controlPlane.CreateCommand(Query);
        await using var r = await command.ExecuteReaderAsync(ct);
        var plans = new List<Plan>();
        while (await r.ReadAsync(ct))
        {
            var name = r.GetString(0);
            plans.Add(new Plan(
                name,
                new Limits.LimitSet(IntOrNull(r, 1), IntOrNull(r, 2), r.IsDBNull(3) ? null : r.GetInt64(3), r.GetInt32(4), IntOrNull(r, 5)),
                new Chat.ChatDefaults(
                    name,
                    r.GetInt32(6),
                    r.IsDBNull(7) ? null : r.GetString(7),
                    r.IsDBNull(8) ? null : r.GetFloat(8),
                    r.IsDBNull(9) ? null : r.GetString(9),
                    IntOrNull(r, 10),
                    r.IsDBNull(11) ? null : r.GetFieldValue<string[]>(11))));
        }

        return plans;
    }

    private static int? IntOrNull(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt32(i);

    private sealed record Snapshot(IReadOnlyList<Plan> Plans, DateTimeOffset Expires);
}
