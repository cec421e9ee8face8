using System.Text;

namespace Bulkhead.Crypto;

/// <summary>
/// Where a sealed value belongs: its table, row and column, and the sub of the user whose key seals it (null
/// for the tenant's own content, sealed under the tenant key). Bound as associated data, so a value copied to any
/// other place (another tenant, row, column or user) does not open.
/// </summary>
public readonly record struct SealedField(string Table, Guid Row, string Column, string? User)
{
    /// <summary>tenant id (16) | table | 0 | row id (16) | column | 0 | the user's sub (when a user key seals it).</summary>
    public byte[] AssociatedData(Guid tenant)
    {
        var utf8 = Encoding.UTF8;
        var bytes = new byte[16 + utf8.GetByteCount(Table) + 1 + 16 + utf8.GetByteCount(Column) + 1 + (User is { } u ? utf8.GetByteCount(u) : 0)];
        var at = bytes.AsSpan();
        tenant.TryWriteBytes(at);
        at = at[16..];
        at = at[(utf8.GetBytes(Table, at) + 1)..];
        Row.TryWriteBytes(at);
        at = at[16..];
        at = at[(utf8.GetBytes(Column, at) + 1)..];
        if (User is { } user)
        {
            utf8.GetBytes(user, at);
        }

        return bytes;
    }
}
