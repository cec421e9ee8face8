namespace Bulkhead.Audit;

/// <summary>
/// What an audited statement found, stored as text (<c>ok</c>, <c>not_found</c>, <c>rejected</c>). The data layer records
/// outcomes, not HTTP statuses: how the API answers them is the API's business.
/// </summary>
public enum AuditOutcome
{
    /// <summary>The resource was there (read, listed, created, changed or deleted).</summary>
    Ok,

    /// <summary>The resource does not exist or is not visible to the caller; the API answers 404.</summary>
    NotFound,

    /// <summary>The request was refused before it changed anything (a configuration change with bad fields).</summary>
    Rejected,
}

public static class AuditOutcomes
{
    public const string OkText = "ok";
    public const string NotFoundText = "not_found";
    public const string RejectedText = "rejected";

    public static AuditOutcome? Parse(string? text) => text switch
    {
        null => null,
        OkText => AuditOutcome.Ok,
        NotFoundText => AuditOutcome.NotFound,
        RejectedText => AuditOutcome.Rejected,
        _ => throw new FormatException($"unknown audit outcome '{text}'"),
    };

    public static string Text(this AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Ok => OkText,
        AuditOutcome.NotFound => NotFoundText,
        _ => RejectedText,
    };
}
