namespace Bulkhead.Bench.Scale.Run;

/// <summary>How long and how hard each phase runs. Quick: a small data set seeded by the run itself, short phases.</summary>
public sealed record RunSettings(
    bool Quick, string Database, int Clients, TimeSpan Phase, int Rounds, int RlsIterations, int RoundTripReads, int SchemaTenants, int CreatesPerTier)
{
    public static RunSettings From(Arguments args)
    {
        var quick = args.Has("quick");
        var seconds = args.Double("seconds", quick ? 4 : 15);
        return new RunSettings(
            quick,
            quick ? Commands.QuickDatabase : Commands.FullDatabase,
            args.Int("clients", 16),
            TimeSpan.FromSeconds(seconds),
            quick ? 3 : 5,
            quick ? 3_000 : 20_000,
            quick ? 200 : 1_000,
            args.Int("schema-tenants", quick ? 100 : 1_000),
            quick ? 3 : 5);
    }

    /// <summary>
    /// The quick run's own data set: small enough to seed in seconds, the same shape as the full one, with a
    /// pooled tenant of about 60,000 conversations to move while it is read.
    /// </summary>
    public static Seed.SeedPlan QuickPlan => Seed.SeedPlan.Create(50, 470_000, 0);
}
