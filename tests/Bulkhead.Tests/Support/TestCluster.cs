using Npgsql;

namespace Bulkhead.Tests.Support;

/// <summary>The private PostgreSQL cluster that <c>./bulkhead test</c> starts for this run, and its roles.</summary>
public static class TestCluster
{
    public static string Superuser => Environment.GetEnvironmentVariable("BULKHEAD_TEST_POSTGRES")
        ?? throw new InvalidOperationException("BULKHEAD_TEST_POSTGRES is not set: run the tests with './bulkhead test', which starts PostgreSQL and Redis for them.");

    /// <summary>The run's second PostgreSQL server (database-tier tenants), as a superuser.</summary>
    public static string SecondServerSuperuser => Environment.GetEnvironmentVariable("BULKHEAD_TEST_POSTGRES2")
        ?? throw new InvalidOperationException("BULKHEAD_TEST_POSTGRES2 is not set: run the tests with './bulkhead test'.");

    public static string OwnerPassword => Environment.GetEnvironmentVariable("BULKHEAD_TEST_OWNER_PASSWORD") ?? throw new InvalidOperationException("BULKHEAD_TEST_OWNER_PASSWORD is not set.");

    public static string AppPassword => Environment.GetEnvironmentVariable("BULKHEAD_TEST_APP_PASSWORD") ?? throw new InvalidOperationException("BULKHEAD_TEST_APP_PASSWORD is not set.");

    public static string ConnectionString(string database, string role, string password, int maxPool = 50)
    {
        var builder = new NpgsqlConnectionStringBuilder(Superuser)
        {
            Database = database,
            Username = role,
            Password = password,
            MaxPoolSize = maxPool,
        };
        return builder.ConnectionString;
    }

    public static string SuperuserConnection(string database) =>
        new NpgsqlConnectionStringBuilder(Superuser) { Database = database, Pooling = false }.ConnectionString;
}
