using Bulkhead.Tenancy;

namespace Bulkhead.Bench.Scale.Seed;

/// <summary>One tenant of the data set: its size, its users and where its rows live.</summary>
public sealed record SeedTenant(int Index, string Slug, string Plan, Tier Tier, long Conversations, int Users);

/// <summary>
/// The shape of the data set. Tenant sizes are skewed the way SaaS tenants are: three giants hold a third
/// of all conversations (over a million each at 10M), the rest follow Zipf (1/k) down to a long tail of
/// small tenants. Subs are "1", "2", ... in every tenant, so the same sub (the seed's "123") exists in many
/// tenants at once. The second and third giants live in the schema and database tiers so that the
/// per-tier read compares tenants of the same size.
/// </summary>
public sealed record SeedPlan(IReadOnlyList<SeedTenant> Tenants, int MessagesPerConversation)
{
    public const int ConversationsPerUser = 150;
    public const int MaxUsersPerTenant = 10_000;
    public const string BenchSub = "123";

    private static readonly double[] GiantShares = [0.13, 0.115, 0.105];

    public long Conversations => Tenants.Sum(t => t.Conversations);

    public long Users => Tenants.Sum(t => (long)t.Users);

    public long Messages => Conversations * MessagesPerConversation;

    public static SeedPlan Create(int tenants, long conversations, int messagesPerConversation)
    {
        if (tenants < 3 || conversations < tenants * 10L)
        {
            throw new ArgumentException("the data set needs at least 3 tenants and 10 conversations per tenant");
        }

        var sizes = new long[tenants];
        var giants = tenants >= 10 ? GiantShares.Length : 0;
        for (var i = 0; i < giants; i++)
        {
            sizes[i] = (long)(conversations * GiantShares[i]);
        }

        var rest = conversations - sizes.Sum();
        var tail = tenants - giants;

        // Zipf over the tail, 1/(k + shift): the shift (0 at 1,000 tenants) keeps the largest tail tenant
        // below the giants when there are few tenants, as in the quick data set.
        var ceiling = giants > 0 ? sizes[giants - 1] * 0.8 : double.MaxValue;
        var shift = 0;
        double Harmonic(int s) => Enumerable.Range(1, tail).Sum(k => 1.0 / (k + s));
        while (rest / Harmonic(shift) / (1 + shift) > ceiling && shift < 10_000)
        {
            shift++;
        }

        var harmonic = Harmonic(shift);
        for (var k = 1; k <= tail; k++)
        {
            sizes[giants + k - 1] = Math.Max(1, (long)(rest / harmonic / (k + shift)));
        }

        // Rounding leftovers go to the largest tail tenant, so the total is exact.
        sizes[giants] += conversations - sizes.Sum();
        var list = sizes.Select((size, i) => new SeedTenant(
            i,
            $"bench-{i + 1:D4}",
            i < giants ? "enterprise" : "premium",
            i == 1 ? Tier.Schema : i == 2 ? Tier.Database : Tier.Pooled,
            size,
            (int)Math.Clamp((size + ConversationsPerUser - 1) / ConversationsPerUser, 1, MaxUsersPerTenant))).ToList();
        return new SeedPlan(list, messagesPerConversation);
    }
}
