namespace Bulkhead.Bench;

/// <summary>One limiter's figures: throughput at full concurrency, latency of one decision at moderate concurrency.</summary>
public sealed record BenchResult(string Limiter, int KeysPerDecision, double DecisionsPerSecond, double P50Ms, double P99Ms, double AdmittedShare, double RedisMicrosPerDecision);
