using Bulkhead.Crypto;
using System.Security.Cryptography;
using Bulkhead.Conversations;
using Bulkhead.Host.Api;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Hosting;
using Bulkhead.Storage;
using Bulkhead.Bench.Scale.Run.Peer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bulkhead.Bench.Scale.Run;

/// <summary>
/// The product's server (<see cref="BulkheadApp.Build"/>, every layer) on a loopback port, plus one endpoint
/// that exists only here: <c>GET /bench/bare</c>, the same list SQL and the same JSON without JWT, tenant
/// resolution, rate limiting, tenant session or row-level security, as the comparison for the full stack;
/// and, in the same process, the <see cref="PeerHost"/> (EF Core, JwtBearer, a global query filter).
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    public const string Issuer = "bulkhead-bench";
    public const string Audience = "bulkhead";

    private readonly WebApplication _app;
    private readonly NpgsqlDataSource _bare;

    private BenchHost(WebApplication app, NpgsqlDataSource bare, Uri address, TokenIssuer tokens, PeerHost peer)
    {
        _app = app;
        _bare = bare;
        Address = address;
        Tokens = tokens;
        Peer = peer;
    }

    public Uri Address { get; }

    public TokenIssuer Tokens { get; }

    public PeerHost Peer { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="appConnection">The runtime role's connection (through the round-trip counter, when counting).</param>
    /// <param name="bareTenant">The tenant and sub whose page the bare endpoint lists.</param>
    /// <param name="settings">Configuration on top of the benchmark's (e.g. <c>Bulkhead:Audit:Reads</c>).</param>
    public static async Task<BenchHost> StartAsync(
        BenchCluster cluster, string appConnection, string? redis, (Guid Tenant, string Sub) bareTenant, string keyFile, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Bulkhead:DatabaseConnection"] = appConnection,
            ["Bulkhead:OwnerConnection"] = cluster.Owner(),
            ["Bulkhead:Auth:Issuer"] = Issuer,
            ["Bulkhead:Auth:Audience"] = Audience,
            ["Bulkhead:Auth:SigningKeyFile"] = keyFile,
            ["Bulkhead:Auth:DevelopmentKey"] = "true",
            ["Bulkhead:CursorKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Bulkhead:Limits:Enabled"] = "true",
            ["Bulkhead:Limits:Redis"] = redis,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            config[name] = value;
        }

        var app = BulkheadApp.Build([], c => c.AddInMemoryCollection(config), urls: "http://127.0.0.1:0");

        // The owner role bypasses row-level security; search_path is set once per connection, not per request.
        // Statements are prepared as the runtime role's are, so that full and bare differ by the layers alone.
        var bare = NpgsqlDataSource.Create(RuntimeConnection.Prepared(new NpgsqlConnectionStringBuilder(cluster.Owner()) { SearchPath = "app" }).ConnectionString);
        var viewer = new Viewer(bareTenant.Sub, SeesWholeTenant: false);
        // Titles are sealed at rest: bare opens them with the same key ring, so that the JSON is the same and
        // the encryption's cost is on both sides (the encryption table measures it alone).
        var cipher = app.Services.GetRequiredService<KeyRing>().For(bareTenant.Tenant);
        app.MapGet("/bench/bare", async (CancellationToken ct) =>
        {
            await using var connection = await bare.OpenConnectionAsync(ct);
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(ConversationStore.ListCommand(bareTenant.Tenant, viewer, null, null, 21));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            var items = new List<ConversationResponse>(21);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetGuid(0);
                var title = cipher.Open(ConversationStore.TitleField(id, reader.GetString(5)), reader.GetFieldValue<byte[]>(2));
                items.Add(new ConversationResponse(id, reader.GetGuid(1), title, reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
            }

            return TypedResults.Ok(new ListResponse<ConversationResponse>(items.Take(20).ToList(), null));
        }).AllowAnonymous().DisableRateLimiting();

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var key = DevelopmentSigningKey.Load(keyFile);
        var peer = await PeerHost.StartAsync(cluster.Owner(), key, Issuer, Audience);
        return new BenchHost(app, bare, new Uri(address), new TokenIssuer(key, Issuer, Audience, TimeProvider.System), peer);
    }

    public string MemberToken(Guid tenant, string sub) => Tokens.Issue(tenant, sub, Roles.Member, TimeSpan.FromHours(2));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _bare.DisposeAsync();
        await Peer.DisposeAsync();
    }
}
