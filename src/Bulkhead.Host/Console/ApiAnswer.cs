using System.Net;

namespace Bulkhead.Host.WebConsole;

/// <summary>The API's answer to one console call: the value, or the problem document it sent.</summary>
public sealed record ApiAnswer<T>(HttpStatusCode Status, T? Value, ApiProblem? Problem)
{
    public bool Ok => Problem is null && Value is not null;

    /// <summary>The session's token was refused: the session is over.</summary>
    public bool SessionEnded => Status is HttpStatusCode.Unauthorized;
}

/// <summary>An RFC 9457 problem as the API wrote it, with its field errors (validation problems).</summary>
public sealed record ApiProblem(string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors)
{
    public string Message => Detail ?? Title ?? $"The API answered {Status}.";

    public string? For(string field) => Errors is not null && Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;
}
