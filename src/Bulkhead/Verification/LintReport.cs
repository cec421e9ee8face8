using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulkhead.Verification;

/// <summary>What the lint found, dated and naming the databases it read: evidence an auditor can keep.</summary>
public sealed record LintReport(DateTimeOffset CheckedAt, IReadOnlyList<InspectedDatabase> Databases, IReadOnlyList<Finding> Findings)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // The report is a file for people and tools, never embedded in HTML: keep quotes and '+' readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public bool Passed => Findings.All(f => f.Passed);

    public IReadOnlyList<Finding> Failures => Findings.Where(f => !f.Passed).ToList();

    /// <summary>Each rule with its findings, in the order of <see cref="LintRules.Descriptions"/>.</summary>
    public IEnumerable<RuleSummary> Rules =>
        LintRules.Descriptions.Select(rule =>
        {
            var own = Findings.Where(f => f.Rule == rule.Key).ToList();
            return new RuleSummary(rule.Key, rule.Value, own.All(f => f.Passed), own.Count(f => f.Passed), own.Where(f => !f.Passed).ToList());
        });

    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Bulkhead isolation verification, {CheckedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        foreach (var db in Databases)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  server {db.Server} ({db.Address}, PostgreSQL {db.PostgresVersion}), database {db.Database}, as role {db.Role}, tenant schemas: {string.Join(", ", db.TenantSchemas)}");
        }

        text.AppendLine();
        foreach (var rule in Rules)
        {
            var checkedCount = rule.PassedCount + rule.Failures.Count;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{(rule.Passed ? "PASS" : "FAIL")}  {rule.Rule,-38} {(rule.Passed ? $"{checkedCount} checked" : $"{rule.Failures.Count} of {checkedCount} failed")}  ({rule.Description})");
            foreach (var failure in rule.Failures)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"      {failure.Server}/{failure.Database} {failure.Object}: {failure.Detail}");
            }
        }

        var failed = Rules.Count(r => !r.Passed);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{LintRules.Descriptions.Count - failed} rules passed, {failed} failed");
        return text.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        CheckedAt,
        Passed,
        Databases,
        Rules = Rules.ToList(),
        Findings,
    }, Json);
}

public sealed record RuleSummary(string Rule, string Description, bool Passed, int PassedCount, IReadOnlyList<Finding> Failures);
