namespace Bulkhead.Crypto;

/// <summary>
/// A sealed value that does not open: its key is gone (erased), or it was not sealed for this tenant, row,
/// column and user (copied from elsewhere, or altered). The value is never served; the caller raises an alert.
/// </summary>
public sealed class SealBrokenException(Guid tenant, string table, Guid row, string column, string reason)
    : Exception($"The sealed {table}.{column} of row {row} (tenant {tenant}) does not open: {reason}.")
{
    public Guid Tenant { get; } = tenant;

    public string Table { get; } = table;

    public Guid Row { get; } = row;

    public string Column { get; } = column;

    public string Reason { get; } = reason;
}
