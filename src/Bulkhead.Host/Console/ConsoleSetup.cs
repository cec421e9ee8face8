using Bulkhead.Host.Auth;
using Bulkhead.Host.Hosting;
using Bulkhead.Host.WebConsole.Components;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Bulkhead.Host.WebConsole;

/// <summary>The web console at <c>/console</c>: one <c>Add</c> and one <c>Map</c> call in the composition root.</summary>
public static class ConsoleSetup
{
    public static WebApplicationBuilder AddBulkheadConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var bulkhead = builder.Configuration.GetSection(BulkheadOptions.Section).Get<BulkheadOptions>() ?? new BulkheadOptions();
        var console = builder.Configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .Validate(o => o.SessionLifetime > TimeSpan.Zero, "Bulkhead:Console:SessionLifetime must be positive.")
            .Validate(o => DevelopmentSignIn.IsEnabled(bulkhead) || string.IsNullOrEmpty(bulkhead.Auth.Authority) || !string.IsNullOrEmpty(o.ClientId),
                "Bulkhead:Console:ClientId is required when Bulkhead:Auth:Authority is set: the console signs in with OpenID Connect.")
            .ValidateOnStart();

        services.AddRazorComponents();
        if (console.KeyDirectory is { Length: > 0 } keys)
        {
            services.AddDataProtection().SetApplicationName("bulkhead").PersistKeysToFileSystem(new DirectoryInfo(keys));
        }

        services.AddHttpContextAccessor();
        // Chat streams last as long as the model writes; each call ends with its request.
        services.AddHttpClient(ConsoleApi.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<ApiAddress>();
        services.AddScoped<ConsoleApi>();
        services.AddAntiforgery(a =>
        {
            a.Cookie.Name = "bulkhead-antiforgery";
            a.Cookie.SameSite = SameSiteMode.Strict;
            a.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        var development = DevelopmentSignIn.IsEnabled(bulkhead);
        var auth = services.AddAuthentication().AddCookie(ConsoleSessions.Scheme, c =>
        {
            ConsoleSessions.Configure(c, console.SessionLifetime);
            c.LoginPath = development ? "/console/signin" : "/console/login";
        });
        if (development)
        {
            services.AddSingleton<DevelopmentSignIn>();
        }
        else if (!string.IsNullOrEmpty(bulkhead.Auth.Authority))
        {
            auth.AddOpenIdConnect(o => OpenIdConnect(o, bulkhead.Auth.Authority, console));
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleSessions.Policy, p => p.AddAuthenticationSchemes(ConsoleSessions.Scheme).RequireAuthenticatedUser())
            .AddPolicy(ConsolePolicies.Tenant, p => p.AddAuthenticationSchemes(ConsoleSessions.Scheme).RequireClaim(Claims.Tenant).RequireRole(Roles.Member, Roles.Admin))
            .AddPolicy(ConsolePolicies.Admin, p => p.AddAuthenticationSchemes(ConsoleSessions.Scheme).RequireClaim(Claims.Tenant).RequireRole(Roles.Admin))
            .AddPolicy(ConsolePolicies.Platform, p => p.AddAuthenticationSchemes(ConsoleSessions.Scheme).RequireRole(Roles.Platform));

        // Run from a build output (as `up` does), the framework's script is found through the build's manifest;
        // a published server has it under wwwroot.
        var runtimeManifest = Path.Combine(AppContext.BaseDirectory, "Bulkhead.Host.staticwebassets.runtime.json");
        if (File.Exists(runtimeManifest))
        {
            builder.Configuration[WebHostDefaults.StaticWebAssetsKey] = runtimeManifest;
            builder.WebHost.UseStaticWebAssets();
        }

        return builder;
    }

    public static WebApplication MapBulkheadConsole(this WebApplication app)
    {
        var authority = app.Configuration[$"{BulkheadOptions.Section}:Auth:Authority"];
        var formTargets = string.IsNullOrEmpty(authority) ? "'self'" : $"'self' {new Uri(authority).GetLeftPart(UriPartial.Authority)}";
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/console") || c.Request.Path.StartsWithSegments("/_framework"),
            branch => branch.UseMiddleware<ConsoleHeaders>(formTargets));
        app.UseAntiforgery();

        // The framework's script as a plain static file rather than through MapStaticAssets, whose catch-all
        // file route would answer every unmapped path that looks like a file.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/_framework"), branch => branch.UseStaticFiles());

        app.MapConsoleAssets();
        app.MapChatRelay();
        app.MapConsoleExports();
        app.MapPost("/console/signout", SignOutAsync).RequireAuthorization(ConsoleSessions.Policy).ExcludeFromDescription();
        if (app.Services.GetService<DevelopmentSignIn>() is null)
        {
            app.MapGet("/console/login", (string? @return) => TypedResults.Challenge(
                new AuthenticationProperties { RedirectUri = SafeReturn(@return) }, [OpenIdConnectDefaults.AuthenticationScheme])).ExcludeFromDescription();
        }

        app.MapRazorComponents<App>();
        return app;
    }

    /// <summary>Only a path inside the console; anything else (another site, a scheme-relative URL) goes to the console's start.</summary>
    public static string SafeReturn(string? target) =>
        target is { Length: > 1 } && target.StartsWith("/console", StringComparison.Ordinal) && !target.StartsWith("//", StringComparison.Ordinal) && !target.Contains('\\')
            ? target
            : "/console";

    private static async Task<Results<RedirectHttpResult, BadRequest>> SignOutAsync(HttpContext http, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return TypedResults.BadRequest();
        }

        await http.SignOutAsync(ConsoleSessions.Scheme);
        return TypedResults.Redirect("/console/signin");
    }

    private static void OpenIdConnect(OpenIdConnectOptions o, string authority, ConsoleOptions console)
    {
        o.Authority = authority;
        // As for the API's bearer tokens (TokenTrust): keys over plain http from this machine only.
        o.RequireHttpsMetadata = !TokenTrust.IsLoopbackHttp(new Uri(authority));
        o.ClientId = console.ClientId;
        o.ClientSecret = console.ClientSecret;
        o.ResponseType = "code";
        o.UsePkce = true;
        o.SaveTokens = true;
        o.MapInboundClaims = false;
        o.SignInScheme = ConsoleSessions.Scheme;
        o.CallbackPath = "/console/signin-oidc";
        o.SignedOutCallbackPath = "/console/signout-oidc";
        o.Scope.Clear();
        o.Scope.Add("openid");
        o.Scope.Add("profile");
        foreach (var scope in console.Scopes)
        {
            o.Scope.Add(scope);
        }

        o.TokenValidationParameters.NameClaimType = Claims.Subject;
        o.TokenValidationParameters.RoleClaimType = Claims.Role;
        o.Events.OnTokenValidated = context =>
        {
            // The session is the access token's: the API reads tid, sub and role from it on every call, so the
            // signed-in identity must be exactly that one, in the shape the API accepts.
            var access = context.TokenEndpointResponse?.AccessToken;
            if (access is null || !new JsonWebTokenHandler().CanReadToken(access))
            {
                context.Fail("the identity provider issued no JWT access token");
                return Task.CompletedTask;
            }

            var token = new JsonWebTokenHandler().ReadJsonWebToken(access);
            var principal = ConsoleIdentity.Principal(
                token.TryGetPayloadValue<string>(Claims.Tenant, out var tid) && Guid.TryParse(tid, out var id) ? id : null,
                token.TryGetPayloadValue<string>(Claims.Subject, out var sub) ? sub : "",
                token.TryGetPayloadValue<string>(Claims.Role, out var role) ? role : Roles.Member);
            if (TokenShape.Check(principal) is not null || principal.FindFirst(Claims.Subject)?.Value != context.Principal?.FindFirst(Claims.Subject)?.Value)
            {
                context.Fail("the access token is not one the API accepts");
                return Task.CompletedTask;
            }

            context.Principal = principal;
            return Task.CompletedTask;
        };
    }
}

/// <summary>The console's role policies; each names the cookie scheme, so a bearer token never opens a console page.</summary>
public static class ConsolePolicies
{
    public const string Tenant = "console-tenant";

    public const string Admin = "console-admin";

    public const string Platform = "console-platform";
}
