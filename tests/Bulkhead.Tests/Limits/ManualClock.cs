namespace Bulkhead.Tests.Limits;

/// <summary>A clock that moves only when told, for the in-process GCRA's unit tests.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
