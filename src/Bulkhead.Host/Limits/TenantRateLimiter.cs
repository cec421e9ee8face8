using System.Security.Claims;
using System.Threading.RateLimiting;
using Bulkhead.Host.Auth;
using Bulkhead.Limits;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Limits;

/// <summary>
/// The server's global limiter in ASP.NET Core rate limiting. Every request of a resolved tenant counts
/// against the tenant's rate; chat calls (endpoints marked with <see cref="UserChatLimitAttribute"/>) also
/// against the caller's, in the same decision.
/// It decides only asynchronously: the synchronous attempt admits what is not limited and hands the
/// rest to <see cref="AcquireAsyncCore"/>, which asks the GCRA.
/// </summary>
public sealed class TenantRateLimiter(TenantLimitsSource limits, IGcraLimiter gcra, LimitsOptions options) : PartitionedRateLimiter<HttpContext>
{
    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        options.Enabled && resource.Features.Get<Tenant>() is not null ? Lease.Undecided : Lease.Unlimited;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        if (!options.Enabled || resource.Features.Get<Tenant>() is not { } tenant
            || await limits.FindAsync(tenant.Id, cancellationToken) is not { Effective: var tenantLimits })
        {
            return Lease.Unlimited;
        }

        var burst = tenantLimits.BurstSeconds ?? options.BurstSeconds;
        var policies = new List<RequestPolicy>(2);
        if (tenantLimits.RequestsPerMinute is { } perTenant)
        {
            policies.Add(new RequestPolicy(RequestPolicy.Tenant, perTenant, GcraRule.PerMinute(RateLimitKeys.Tenant(tenant.Id), perTenant, burst)));
        }

        if (tenantLimits.UserRequestsPerMinute is { } perUser && IsChat(resource)
            && resource.User.FindFirstValue(Claims.Subject) is { } sub)
        {
            policies.Add(new RequestPolicy(RequestPolicy.User, perUser, GcraRule.PerMinute(RateLimitKeys.User(tenant.Id, sub), perUser, burst)));
        }

        if (policies.Count == 0)
        {
            return Lease.Unlimited;
        }

        var decision = await gcra.CheckAsync(policies.Select(p => p.Rule).ToArray(), cancellationToken);
        var outcome = new RateLimitOutcome(policies, decision);
        resource.Features.Set(outcome);
        return new Lease(decision.Allowed, outcome);
    }

    private static bool IsChat(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<UserChatLimitAttribute>() is not null;

    private sealed class Lease(bool acquired, RateLimitOutcome? outcome) : RateLimitLease
    {
        public static readonly Lease Unlimited = new(true, null);

        // Not acquired, and not a rejection: the middleware goes on to AcquireAsync, which decides.
        public static readonly Lease Undecided = new(false, null);

        public RateLimitOutcome? Outcome { get; } = outcome;

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => Outcome is { Decision.Allowed: false } ? [MetadataName.RetryAfter.Name] : [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (metadataName == MetadataName.RetryAfter.Name && Outcome is { Decision.Allowed: false } o)
            {
                metadata = o.Decision.RetryAfter;
                return true;
            }

            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
