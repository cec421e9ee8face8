namespace Bulkhead.Host.Audit;

/// <summary>What <see cref="ProbeBudget"/> decided about one 404.</summary>
public enum ProbeAdmission
{
    /// <summary>Check it.</summary>
    Admitted,

    /// <summary>The same principal's miss on the same id was checked within the quiet period.</summary>
    Repeated,

    /// <summary>The principal used up its checks for this minute.</summary>
    OverBudget,
}
