namespace Bulkhead.Host.Chat.Engine;

/// <summary>A model call that produced nothing to show: the endpoints answer it with <see cref="Failure"/>'s problem.</summary>
public sealed class ModelCallException(ModelFailure failure, Exception? cause = null) : Exception(failure.Detail, cause)
{
    public ModelFailure Failure => failure;
}
