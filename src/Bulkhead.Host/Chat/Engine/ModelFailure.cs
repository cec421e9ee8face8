namespace Bulkhead.Host.Chat.Engine;

/// <summary>Why a model call gave no usable answer.</summary>
public enum ModelFault
{
    /// <summary>The call cannot be made as configured: the model is not served, or the tenant's key does not open.</summary>
    Unavailable,

    /// <summary>The provider failed or answered something unreadable.</summary>
    Failed,

    /// <summary>The provider did not answer in time.</summary>
    TimedOut,
}

/// <summary>A model call's failure as the caller may hear it: the provider's own error text is never passed on.</summary>
public sealed record ModelFailure(ModelFault Fault, string Detail)
{
    public static ModelFailure TimedOut { get; } = new(ModelFault.TimedOut, "The model provider did not answer in time; no reply was stored as complete.");

    public static ModelFailure Unreadable { get; } = new(ModelFault.Failed, "The model provider's answer could not be read; no reply was stored as complete.");

    public static ModelFailure Unavailable(string detail) => new(ModelFault.Unavailable, detail);

    public static ModelFailure Answered(int status) => new(ModelFault.Failed, $"The model provider answered with status {status}; no reply was stored as complete.");

    /// <summary>
    /// The classification every provider shares: a timeout anywhere in the chain of causes (or one the
    /// provider recognises), else the provider's HTTP status when it gave one, else an unreadable answer.
    /// </summary>
    public static ModelFailure Of(Exception failure, Func<Exception, bool>? isTimeout = null, int? status = null)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or OperationCanceledException || isTimeout?.Invoke(e) == true)
            {
                return TimedOut;
            }
        }

        return status is > 0 ? Answered(status.Value) : Unreadable;
    }
}
