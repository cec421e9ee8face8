namespace Bulkhead.Conversations;

/// <summary>One page of a keyset-paginated list; <see cref="After"/> is the key to continue from, if there is more.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, Guid? After);
