namespace Bulkhead.Host.Api;

/// <summary>Limit and cursor of a list request, checked before any query runs.</summary>
public static class Paging
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static ProblemHttpResult? Read(int? limit, string? cursor, string binding, CursorCodec codec, out int pageSize, out Guid? after)
    {
        pageSize = limit ?? DefaultLimit;
        after = null;
        if (pageSize is < 1 or > MaxLimit)
        {
            return Problems.BadRequest($"limit must be between 1 and {MaxLimit}.");
        }

        if (cursor is null)
        {
            return null;
        }

        if (!codec.TryDecode(cursor, binding, out var key))
        {
            return Problems.BadRequest("cursor is not valid for this list; start again without a cursor.");
        }

        after = key;
        return null;
    }
}
