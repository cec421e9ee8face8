namespace Bulkhead.Audit;

/// <summary>
/// What one audited statement does: the action, the resource, and the status it answers with. When
/// <see cref="MissIsNotFound"/>, a statement that returns no rows is recorded as 404 (the request's answer).
/// </summary>
/// <param name="FoundSql">
/// A boolean SQL expression over the statement's own parameters that decides found or not found, when
/// "returned at least one row" is not the test (an empty page of an existing conversation is still a 200).
/// </param>
/// <param name="CountSql">The result count as SQL over the statement's rows <c>r</c>; by default, how many rows it returned.</param>
public sealed record AuditEntry(
    string Action, string ResourceType, string? ResourceId, int Status, bool MissIsNotFound = false, string? FoundSql = null, string? CountSql = null);
