using System.Globalization;
using System.Text;
using Bulkhead.Host.Api;
using Bulkhead.Host.Audit;
using Bulkhead.Host.Limits;

namespace Bulkhead.Host.WebConsole;

/// <summary>CSV downloads of what the admin pages show, built from the same API answers.</summary>
public static class ConsoleExports
{
    /// <summary>An export reads at most this many pages of the trail (50,000 events); narrow the filter for more.</summary>
    private const int MaxAuditPages = 100;

    public static IEndpointRouteBuilder MapConsoleExports(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/console/admin").RequireAuthorization(ConsolePolicies.Admin).ExcludeFromDescription();
        admin.MapGet("/usage.csv", UsageAsync);
        admin.MapGet("/audit.csv", AuditAsync);
        admin.MapGet("/users/{id:guid}/export", ExportAsync);
        return app;
    }

    public static string AuditPath(string? user, string? action, string? cursor, int limit)
    {
        var path = new StringBuilder($"/api/tenant/audit?limit={limit}");
        foreach (var (name, value) in new[] { ("user", user), ("action", action), ("cursor", cursor) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                path.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return path.ToString();
    }

    private static async Task<IResult> UsageAsync(ConsoleApi api, CancellationToken ct)
    {
        var answer = await api.GetAsync<UsageResponse>("/api/tenant/usage", ct);
        if (!answer.Ok)
        {
            return Results.Problem(statusCode: (int)answer.Status, detail: answer.Problem?.Message);
        }

        var usage = answer.Value!;
        var csv = new StringBuilder("month,kind,name,id,calls,used_tokens,monthly_quota\n");
        foreach (var m in usage.ByModel)
        {
            csv.Append(Row(usage.Month, "model", m.Model, null, m.Calls, m.UsedTokens, usage.MonthlyTokens));
        }

        foreach (var u in usage.ByUser)
        {
            csv.Append(Row(usage.Month, "user", u.Sub, null, u.Calls, u.UsedTokens, usage.MonthlyTokens));
        }

        foreach (var k in usage.ByKey)
        {
            csv.Append(Row(usage.Month, "key", k.Name, k.KeyId, k.Calls, k.UsedTokens, usage.MonthlyTokens));
        }

        return Csv(csv, $"usage-{usage.Month}.csv");
    }

    private static async Task<IResult> AuditAsync(ConsoleApi api, CancellationToken ct, string? user = null, string? action = null)
    {
        var csv = new StringBuilder("occurred_at,sub,role,action,resource_type,resource_id,outcome,result_count,request_id,sealed_in_block\n");
        string? cursor = null;
        for (var page = 0; page < MaxAuditPages; page++)
        {
            var answer = await api.GetAsync<ListResponse<AuditEventResponse>>(AuditPath(user, action, cursor, 500), ct);
            if (!answer.Ok)
            {
                return Results.Problem(statusCode: (int)answer.Status, detail: answer.Problem?.Message);
            }

            foreach (var e in answer.Value!.Items)
            {
                csv.Append(Row(e.OccurredAt.ToString("o", CultureInfo.InvariantCulture), e.Sub, e.Role, e.Action, e.ResourceType, e.ResourceId, e.Outcome, e.ResultCount, e.RequestId, e.SealedInBlock));
            }

            if ((cursor = answer.Value.NextCursor) is null)
            {
                break;
            }
        }

        return Csv(csv, "audit.csv");
    }

    private static async Task<IResult> ExportAsync(Guid id, ConsoleApi api, CancellationToken ct)
    {
        var answer = await api.GetAsync<System.Text.Json.JsonElement>($"/api/tenant/users/{id}/export", ct);
        return answer.Ok
            ? Results.File(Encoding.UTF8.GetBytes(answer.Value.GetRawText()), "application/json", $"user-{id}.json")
            : Results.Problem(statusCode: (int)answer.Status, detail: answer.Problem?.Message);
    }

    private static IResult Csv(StringBuilder csv, string name) =>
        Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", name);

    /// <summary>One CSV line; a cell that a spreadsheet would run as a formula is quoted with a leading apostrophe.</summary>
    private static string Row(params object?[] cells) => string.Join(",", cells.Select(Cell)) + "\n";

    private static string Cell(object? value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        if (text.Length > 0 && "=+-@\t\r".Contains(text[0], StringComparison.Ordinal))
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
