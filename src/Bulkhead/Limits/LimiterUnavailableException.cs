namespace Bulkhead.Limits;

/// <summary>Redis does not answer and the failure mode is FailClosed: the request gets 503 and Retry-After.</summary>
public sealed class LimiterUnavailableException() : Exception("The rate limiter's Redis does not answer.");
