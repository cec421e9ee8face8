using Bulkhead.Host.Api;

namespace Bulkhead.Host.WebConsole;

/// <summary>What the operator's page has seen of one move: the latest status and each step once, in order.</summary>
public sealed class MoveWatch(string slug, string to)
{
    private readonly List<string> _steps = [];

    public string Slug => slug;

    public string To => to;

    /// <summary><c>moving</c>, then <c>done</c> or <c>failed</c>.</summary>
    public string State { get; private set; } = "moving";

    public MoveStatusResponse? Status { get; private set; }

    public IReadOnlyList<string> Steps => _steps;

    public string? Summary { get; private set; }

    public void Seen(MoveStatusResponse status)
    {
        Status = status;
        if (status.Step is { Length: > 0 } step && (_steps.Count == 0 || _steps[^1] != step))
        {
            _steps.Add(step);
        }
    }

    public void Finish(string? summary, ApiProblem? problem)
    {
        State = problem is null ? "done" : "failed";
        Summary = problem?.Message ?? summary;
        if (problem is null && Status is { } last)
        {
            // The move's row is gone once it is done: the bulk copy was complete.
            Status = last with { RowsCopied = last.RowsTotal };
        }
    }
}
