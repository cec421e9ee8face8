using System.Security.Claims;
using System.Text.Json;
using Bulkhead.Host.Api;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Bench.Scale.Run.Peer;

/// <summary>
/// The peer: the same page (one page of the caller's conversations, newest first, as the same JSON) built the
/// way a typical .NET team builds it: JwtBearer, EF Core with the Npgsql provider and a global query filter on
/// tenant_id, no row-level security, no audit, no rate limits. Its own pipeline on its own loopback port in the
/// bench's process, so it pays for what it uses and nothing of Bulkhead's middleware.
/// </summary>
public sealed class PeerHost : IAsyncDisposable
{
    public const string Path = "/api/conversations?limit=20";

    private readonly WebApplication _app;

    private PeerHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="ownerConnection">A role that reads the tables without row-level security.</param>
    public static async Task<PeerHost> StartAsync(string ownerConnection, SecurityKey signingKey, string issuer, string audience)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddDbContext<PeerDbContext>(db => db.UseNpgsql(ownerConnection));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = issuer,
                ValidAudience = audience,
                IssuerSigningKey = signingKey,
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            };
        });
        builder.Services.AddAuthorization();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/api/conversations", async (PeerDbContext db, ClaimsPrincipal user, int? limit, CancellationToken ct) =>
        {
            var sub = user.FindFirstValue("sub");
            var take = Math.Clamp(limit ?? 20, 1, 100);
            // The user's id as a scalar subquery, as the product's SQL has it, so that PostgreSQL walks the
            // (tenant_id, user_id, id) index in order and stops after one page. (A navigation join,
            // c.User.Sub == sub, reads and sorts every conversation of the user instead: several times the work.)
            var rows = await db.Conversations
                .Where(c => c.UserId == db.Users.Where(u => u.Sub == sub).Select(u => (Guid?)u.Id).FirstOrDefault())
                .OrderByDescending(c => c.Id)
                .Take(take + 1)
                .Select(c => new ConversationResponse(c.Id, c.UserId, Convert.ToBase64String(c.Title), c.CreatedAt, c.UpdatedAt))
                .ToListAsync(ct);
            return TypedResults.Ok(new ListResponse<ConversationResponse>(rows.Take(take).ToList(), null));
        }).RequireAuthorization();

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PeerHost(app, new Uri(address));
    }

    public Uri Page => new(Address, Path);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
