namespace Bulkhead.Verification;

/// <summary>One rule checked against one database object: passed or failed, and why, in words an auditor can read.</summary>
public sealed record Finding(string Rule, string Server, string Database, string Object, bool Passed, string Detail);
