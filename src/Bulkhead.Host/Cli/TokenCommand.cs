using System.Globalization;
using Bulkhead.Host.Auth;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Cli;

public static class TokenCommand
{
    public static async Task<int> RunAsync(CliContext context, CliArguments args, CancellationToken ct)
    {
        var role = args.Get("role") ?? Roles.Member;
        if (!Roles.IsKnown(role))
        {
            throw new CliException("--role must be member, admin or platform.");
        }

        var sub = args.Require("user");
        var lifetime = ParseDuration(args.Get("ttl") ?? "1h");
        Guid? tenantId = null;
        if (role != Roles.Platform)
        {
            var slugOrId = args.Require("tenant");
            var tenant = await context.Administration.FindAsync(slugOrId, ct)
                ?? throw new CliException($"no tenant '{slugOrId}'. See './bulkhead tenants list'.");
            tenantId = tenant.Id;
        }

        var auth = context.Options.Auth;
        var key = DevelopmentSigningKey.Load(auth.SigningKeyFile ?? throw new CliException("Bulkhead:Auth:SigningKeyFile is not set."));
        Console.WriteLine(new TokenIssuer(key, auth.Issuer, auth.Audience, TimeProvider.System).Issue(tenantId, sub, role, lifetime));
        return 0;
    }

    public static TimeSpan ParseDuration(string text)
    {
        var unit = text[^1];
        if (!double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            throw new CliException($"--ttl '{text}' is not a duration like 30s, 15m, 1h or 7d.");
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => throw new CliException($"--ttl '{text}' is not a duration like 30s, 15m, 1h or 7d."),
        };
    }
}
