using Npgsql;

namespace Bulkhead.Verification;

/// <summary>
/// One database to inspect, reached as the role under test (normally the runtime role), and the
/// tenant schemas it holds. The lint reads the catalog and checks that role's own privileges.
/// </summary>
public sealed record LintTarget(string Server, NpgsqlDataSource Source, IReadOnlyList<string> TenantSchemas);
