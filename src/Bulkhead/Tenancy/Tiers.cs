namespace Bulkhead.Tenancy;

public static class Tiers
{
    /// <summary>Reads "pooled", "schema" or "database" (any case); numbers and other names are refused.</summary>
    public static bool TryParse(string? text, out Tier tier) =>
        Enum.TryParse(text, ignoreCase: true, out tier) && Enum.IsDefined(tier) && !int.TryParse(text, out _);
}
