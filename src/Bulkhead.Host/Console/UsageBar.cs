namespace Bulkhead.Host.WebConsole;

/// <summary>One bar of a usage chart: who (a user's sub or a key's name), their calls and tokens this month.</summary>
public sealed record UsageBar(string Label, long Calls, long Tokens);
