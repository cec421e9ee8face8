using Bulkhead.Storage;
using Bulkhead.Verification;
using Npgsql;

namespace Bulkhead.Tests.Verification;

/// <summary>Runs the catalog lint on a test database, as the runtime role unless told otherwise.</summary>
public static class Lint
{
    public static Task<LintReport> RunAsync(TestDatabase db, NpgsqlDataSource? asRole = null) =>
        new CatalogLint().RunAsync(asRole ?? db.App, new PrimaryPlacementRouter(db.App), CancellationToken.None);

    /// <summary>The failures of one rule, as "object: detail" lines, for assertions that name what failed.</summary>
    public static List<string> FailuresOf(this LintReport report, string rule) =>
        report.Failures.Where(f => f.Rule == rule).Select(f => $"{f.Object}: {f.Detail}").ToList();

    /// <summary>A login role of its own for a test that needs a role with the wrong privileges; roles are cluster-wide, bulkhead_app is never altered.</summary>
    public static async Task<ThrowawayRole> CreateRoleAsync(TestDatabase db, string attributes)
    {
        var name = "lint_" + Guid.NewGuid().ToString("N")[..10];
        var password = Guid.NewGuid().ToString("N");
        await db.SuperuserAsync($"create role {name} login {attributes} password '{password}'");
        await db.SuperuserAsync($"grant usage on schema app, control to {name}; grant select on all tables in schema app, control to {name}");
        return new ThrowawayRole(db, name, NpgsqlDataSource.Create(TestCluster.ConnectionString(db.Name, name, password, maxPool: 2)));
    }
}

public sealed class ThrowawayRole(TestDatabase db, string name, NpgsqlDataSource source) : IAsyncDisposable
{
    public string Name { get; } = name;

    public NpgsqlDataSource Source { get; } = source;

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await db.SuperuserAsync($"drop owned by {Name}; drop role {Name}");
    }
}
