using Bulkhead.Tenancy;

namespace Bulkhead.Tests.Tenancy;

/// <summary>Tenant input rules on their own: slug, name, and a plan that must be one of the catalog's.</summary>
public sealed class TenantRulesTests
{
    private static readonly string[] Plans = ["basic", "premium", "enterprise"];

    [Fact]
    public void a_plan_outside_the_catalog_is_refused_naming_the_plans_there_are()
    {
        Assert.Null(TenantRules.PlanProblem("premium", Plans));
        Assert.Equal("plan must be one of basic, premium, enterprise", TenantRules.PlanProblem("gold", Plans));
    }

    [Fact]
    public void every_broken_rule_is_named_in_one_refusal()
    {
        var error = Assert.Throws<TenantRuleException>(() => TenantRules.Validate("Bad Slug", "", "gold", Plans));

        Assert.Equal(
            "slug must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit; name must be 1-200 characters; plan must be one of basic, premium, enterprise.",
            error.Message);
    }

    [Fact]
    public void a_valid_slug_name_and_plan_pass() => TenantRules.Validate("acme-1", "Acme", "basic", Plans);
}
