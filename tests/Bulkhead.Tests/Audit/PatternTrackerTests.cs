using Bulkhead.Host.Audit;
using Bulkhead.Host.Hosting;
using Bulkhead.Tests.Limits;
using Microsoft.Extensions.Options;

namespace Bulkhead.Tests.Audit;

/// <summary>When one principal in several tenants is worth an alert, on a clock the test moves.</summary>
public sealed class PatternTrackerTests
{
    private const string Idp = "https://login.example.com/";

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Start);

    private PatternTracker Tracker(SubjectScope scope = SubjectScope.Issuer, string? authority = null)
    {
        var alerts = Options.Create(new AlertOptions { SubjectScope = scope, SubWindow = TimeSpan.FromMinutes(5) });
        var server = Options.Create(new BulkheadOptions { Auth = { Authority = authority } });
        return new PatternTracker(alerts, server, new AlertThrottle(alerts, _clock), _clock);
    }

    [Fact]
    public void one_issuers_subject_in_two_tenants_within_the_window_raises_one_alert_per_window()
    {
        var tracker = Tracker();
        var (acme, globex) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        Assert.Null(tracker.Active(Idp, acme, "123"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var alert = tracker.Active(Idp, globex, "123");
        var again = tracker.Active(Idp, acme, "123");
        _clock.Advance(TimeSpan.FromMinutes(5));
        var stillBothAfterTheWindow = new[] { tracker.Active(Idp, acme, "123"), tracker.Active(Idp, globex, "123") };

        Assert.NotNull(alert);
        Assert.Equal(globex, alert.TenantId);
        Assert.Equal("123", alert.Sub);
        Assert.Contains(Idp, System.Text.Json.JsonSerializer.Serialize(alert.Detail), StringComparison.Ordinal);
        Assert.Null(again);
        Assert.Single(stillBothAfterTheWindow, a => a is not null);
    }

    [Fact]
    public void the_same_sub_from_two_issuers_is_two_principals_and_raises_nothing()
    {
        var tracker = Tracker();

        Assert.Null(tracker.Active(Idp, Guid.CreateVersion7(), "123"));
        Assert.Null(tracker.Active("https://other-idp.example.com/", Guid.CreateVersion7(), "123"));
    }

    [Fact]
    public void activity_in_another_tenant_longer_ago_than_the_window_raises_nothing()
    {
        var tracker = Tracker();

        Assert.Null(tracker.Active(Idp, Guid.CreateVersion7(), "123"));
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Null(tracker.Active(Idp, Guid.CreateVersion7(), "123"));
    }

    [Fact]
    public void with_development_tokens_user_123_of_two_tenants_is_two_people_and_raises_nothing()
    {
        var tracker = Tracker(SubjectScope.Auto);

        Assert.False(tracker.SubjectsSpanTenants);
        Assert.Null(tracker.Active("bulkhead-dev", Guid.CreateVersion7(), "123"));
        Assert.Null(tracker.Active("bulkhead-dev", Guid.CreateVersion7(), "123"));
    }

    [Fact]
    public void with_an_identity_provider_a_sub_names_one_principal_across_its_tenants_unless_configured_otherwise()
    {
        Assert.True(Tracker(SubjectScope.Auto, authority: Idp).SubjectsSpanTenants);
        Assert.False(Tracker(SubjectScope.Tenant, authority: Idp).SubjectsSpanTenants);
        Assert.True(Tracker(SubjectScope.Issuer).SubjectsSpanTenants);
    }
}
