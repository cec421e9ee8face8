namespace Bulkhead.Storage;

/// <summary>A PostgreSQL server that holds placements. Credentials are never part of it.</summary>
public sealed record ServerAddress(string Name, string Host, int Port);
