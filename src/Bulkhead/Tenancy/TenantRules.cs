using System.Text.RegularExpressions;

namespace Bulkhead.Tenancy;

/// <summary>What a tenant's slug, name and plan must look like, checked before anything is written.</summary>
public static partial class TenantRules
{
    /// <param name="plans">The plans of <see cref="PlanCatalog"/>.</param>
    public static void Validate(string slug, string name, string plan, IReadOnlyList<string> plans)
    {
        var errors = new List<string>();
        if (!SlugPattern().IsMatch(slug))
        {
            errors.Add("slug must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            errors.Add("name must be 1-200 characters");
        }

        if (PlanProblem(plan, plans) is { } problem)
        {
            errors.Add(problem);
        }

        if (errors.Count > 0)
        {
            throw new TenantRuleException(string.Join("; ", errors) + ".");
        }
    }

    public static string? PlanProblem(string plan, IReadOnlyList<string> plans) =>
        plans.Contains(plan) ? null : $"plan must be one of {string.Join(", ", plans)}";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex SlugPattern();
}

public class TenantRuleException(string message) : Exception(message);

/// <summary>Another lifecycle operation of the tenant holds its lock (see <see cref="TenantLock"/>).</summary>
public sealed class TenantBusyException(string message) : TenantRuleException(message);
