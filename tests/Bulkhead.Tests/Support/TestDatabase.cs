using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Npgsql;

namespace Bulkhead.Tests.Support;

/// <summary>
/// A database of its own for a test class, migrated like production: created by copying a template that
/// the real migrator built once per run. Dropped when disposed.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _template;
    private readonly SemaphoreSlim _serverLock = new(1, 1);
    private OwnerSources? _owners;
    private bool _secondServer;

    private TestDatabase(string name)
    {
        Name = name;
        OwnerConnection = TestCluster.ConnectionString(name, "bulkhead_owner", TestCluster.OwnerPassword);
        AppConnection = TestCluster.ConnectionString(name, "bulkhead_app", TestCluster.AppPassword);
        Owner = NpgsqlDataSource.Create(OwnerConnection);
        App = NpgsqlDataSource.Create(AppConnection);
    }

    public string Name { get; }

    public string OwnerConnection { get; }

    public string AppConnection { get; }

    /// <summary>The owner role: runs migrations and control-plane writes; bypasses RLS by design.</summary>
    public NpgsqlDataSource Owner { get; }

    /// <summary>The runtime role: bound by row-level security.</summary>
    public NpgsqlDataSource App { get; }

    public TenantCatalog Catalog => new(Owner);

    /// <summary>The name under which the run's second PostgreSQL server is registered in every test database.</summary>
    public const string SecondServer = "second";

    public ServerCredentials Credentials => new(OwnerConnection, AppConnection);

    /// <summary>Owner access to every placement of this database's tenants, as the CLI has it.</summary>
    public OwnerSources Owners => _owners ??= new OwnerSources(new ServerRegistry(Owner, Credentials), Owner);

    public TenantProvisioner Provisioner => new(Owners);

    /// <summary>The production router: shared pool for pooled and schema tenants, bounded registry for database tenants.</summary>
    public IPlacementRouter Router(DatabaseTierOptions? options = null) =>
        new PlacementRouter(App, new ServerRegistry(App, Credentials), new DatabaseSourceRegistry(Credentials, options ?? new DatabaseTierOptions(), TimeProvider.System));

    /// <summary>A tenant in the given tier; database tenants live on the run's second server.</summary>
    public async Task<Tenant> CreateTenantAsync(Tier tier, string? slug = null, string plan = "basic")
    {
        slug ??= "t-" + Guid.NewGuid().ToString("N")[..10];
        if (tier == Tier.Database)
        {
            await EnsureSecondServerAsync();
        }

        return await Provisioner.CreateAsync(slug, "Test tenant", plan, tier, tier == Tier.Database ? SecondServer : null, CancellationToken.None);
    }

    public async Task EnsureSecondServerAsync()
    {
        await _serverLock.WaitAsync();
        try
        {
            if (!_secondServer)
            {
                await Owners.Servers.AddAsync(SecondServer, TestCluster.SecondServerSuperuser, CancellationToken.None);
                _secondServer = true;
            }
        }
        finally
        {
            _serverLock.Release();
        }
    }

    public static async Task<TestDatabase> CreateAsync()
    {
        var template = await TemplateAsync();
        var name = "bh_" + Guid.NewGuid().ToString("N")[..12];
        await SuperuserAsync("postgres", $"create database {name} template {template} owner bulkhead_owner");
        // A copy does not inherit the template's database privileges: repeat what migration 0090 did there.
        await SuperuserAsync("postgres", $"revoke temporary on database {name} from public");
        return new TestDatabase(name);
    }

    public async Task<Tenant> CreateTenantAsync(string? slug = null, string plan = "basic") =>
        await Catalog.CreateAsync(slug ?? "t-" + Guid.NewGuid().ToString("N")[..10], "Test tenant", plan, CancellationToken.None);

    /// <summary>Runs SQL as a superuser in this database, for tests that break an invariant on purpose.</summary>
    public Task SuperuserAsync(string sql) => SuperuserAsync(Name, sql);

    public async Task<T> ScalarAsync<T>(NpgsqlDataSource source, string sql, params object[] args)
    {
        await using var command = source.CreateCommand(sql);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_owners is not null)
        {
            await _owners.DisposeAsync();
        }

        await Owner.DisposeAsync();
        await App.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await SuperuserAsync("postgres", $"drop database if exists {Name} with (force)");
    }

    private static async Task<string> TemplateAsync()
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_template is not null)
            {
                return _template;
            }

            var name = "bh_template_" + Environment.ProcessId;
            await SuperuserAsync("postgres", $"drop database if exists {name}");
            await SuperuserAsync("postgres", $"create database {name} owner bulkhead_owner");
            await using (var owner = NpgsqlDataSource.Create(TestCluster.ConnectionString(name, "bulkhead_owner", TestCluster.OwnerPassword, maxPool: 2)))
            {
                var migrator = new Migrator(owner);
                await migrator.MigrateAsync(MigrationSet.Control, Migrator.ControlSchema, CancellationToken.None);
                await migrator.MigrateAsync(MigrationSet.Tenant, Placement.SharedSchema, CancellationToken.None);
            }

            NpgsqlConnection.ClearAllPools();
            _template = name;
            return name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static async Task SuperuserAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(TestCluster.SuperuserConnection(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
