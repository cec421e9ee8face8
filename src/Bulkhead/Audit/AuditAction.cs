namespace Bulkhead.Audit;

/// <summary>
/// One kind of audited access (see <see cref="AuditActions"/>): its name in the trail, the resource type it
/// names, whether it only reads, and how its outcome and result count follow from the statement's rows
/// (<c>r</c>). SQL fragments refer to the statement's own parameters; the event's parameters are
/// numbered after them by <see cref="AuditRecorder"/>.
/// </summary>
/// <param name="MissIsNotFound">A statement that returns no rows is recorded as <see cref="AuditOutcome.NotFound"/>.</param>
/// <param name="FoundSql">A boolean over the statement's parameters that decides found, when "returned a row" is not the test.</param>
/// <param name="CountSql">The result count over the rows <c>r</c>; by default, how many rows the statement returned.</param>
public sealed record AuditAction(
    string Name, string ResourceType, bool ReadOnly, bool MissIsNotFound = false, string? FoundSql = null, string? CountSql = null)
{
    /// <summary>The same action, found when <paramref name="sql"/> holds (an empty page of a visible conversation is still found).</summary>
    public AuditAction FoundWhen(string sql) => this with { MissIsNotFound = true, FoundSql = sql };

    internal string OutcomeSql => MissIsNotFound
        ? $"case when {FoundSql ?? "exists (select 1 from r)"} then '{AuditOutcomes.OkText}' else '{AuditOutcomes.NotFoundText}' end"
        : $"'{AuditOutcomes.OkText}'";

    internal string CountExpression => CountSql ?? "(select count(*) from r)";
}
