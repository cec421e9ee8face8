namespace Bulkhead.Conversations;

/// <summary>Who is looking, inside the tenant: a member sees their own conversations, an admin all of the tenant's.</summary>
public sealed record Viewer(string Sub, bool SeesWholeTenant);
