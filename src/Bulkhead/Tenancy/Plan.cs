using Bulkhead.Chat;
using Bulkhead.Limits;

namespace Bulkhead.Tenancy;

/// <summary>One row of <c>control.plans</c>: its limits and its chat defaults.</summary>
public sealed record Plan(string Name, LimitSet Limits, ChatDefaults Chat);
