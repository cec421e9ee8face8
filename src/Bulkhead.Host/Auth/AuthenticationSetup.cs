using Bulkhead.Host.Chat;
using Bulkhead.Host.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Host.Auth;

public static class AuthenticationSetup
{
    // Asymmetric algorithms only: an HS256 token "signed" with a public key is rejected before its signature is looked at.
    private static readonly string[] Algorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    /// <summary>Which issuer keys to trust is decided while the services are registered: it refuses a server that would trust none, or two kinds.</summary>
    public static IServiceCollection AddBulkheadAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var auth = (configuration.GetSection(BulkheadOptions.Section).Get<BulkheadOptions>() ?? new BulkheadOptions()).Auth;
        if (TokenTrust.Problem(auth) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        services.AddAuthentication(ApiKeyAuthentication.SelectorScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.IncludeErrorDetails = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Issuer,
                ValidAudience = auth.Audience,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                ValidateIssuerSigningKey = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidAlgorithms = Algorithms,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = Claims.Subject,
                RoleClaimType = Claims.Role,
            };

            if (!string.IsNullOrWhiteSpace(auth.Authority))
            {
                jwt.Authority = auth.Authority;
                jwt.RequireHttpsMetadata = !TokenTrust.IsLoopbackHttp(new Uri(auth.Authority));
            }
            else if (!string.IsNullOrWhiteSpace(auth.JwksUrl))
            {
                jwt.ConfigurationManager = JwksConfiguration.Create(new Uri(auth.JwksUrl));
            }
            else
            {
                // TokenTrust.Problem let this through only with Bulkhead:Auth:DevelopmentKey=true.
                jwt.TokenValidationParameters.IssuerSigningKey = DevelopmentSigningKey.Load(auth.SigningKeyFile!);
            }

            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    if (TokenShape.Check(context.Principal!) is { } problem)
                    {
                        context.Fail(problem);
                    }

                    return Task.CompletedTask;
                },
            };
        }).AddTenantApiKeys();

        // Every bearer token goes through the cache of validated tokens (see ValidatedTokenCache for what it never serves).
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TimeProvider>((jwt, time) =>
        {
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, time));
        });

        services.AddSingleton<FailedAuthentication>();

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Tenant, p => p.RequireClaim(Claims.Tenant).RequireRole(Roles.Member, Roles.Admin))
            .AddPolicy(Policies.TenantAdmin, p => p.RequireClaim(Claims.Tenant).RequireRole(Roles.Admin))
            .AddPolicy(Policies.Platform, p => p.RequireRole(Roles.Platform));
        return services;
    }
}
