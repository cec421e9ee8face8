namespace Bulkhead.Host.Api;

/// <summary>
/// Endpoint metadata: what the endpoint works on, read from <c>HttpContext.GetEndpoint()</c> instead of
/// its route text. A group's resource applies to its endpoints; an endpoint's own wins.
/// </summary>
/// <param name="Type">The audit trail's resource_type for the endpoint's generic events.</param>
/// <param name="Probed">
/// What the <c>{id}</c> route value names (<see cref="Conversation"/>, <see cref="User"/>) where a 404 for a
/// well-formed id is checked as a possible probe of another tenant's resource; null where it is not.
/// </param>
public sealed record EndpointResource(string Type, string? Probed = null)
{
    public const string Conversation = "conversation";

    public const string User = "user";
}
