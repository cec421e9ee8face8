namespace Bulkhead.Tests.Hosting.ScaleOut;

/// <summary>One request of the load: the node it went to, what it was, its status (0: no response, the connection failed) and when.</summary>
public sealed record Exchange(int Node, string Kind, int Status, TimeSpan Sent, TimeSpan Answered, Guid Tenant = default)
{
    public bool Failed => Status is 0 or >= 500;
}
