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
        var bytes = new List<byte>(80);
        bytes.AddRange(tenant.ToByteArray());
        bytes.AddRange(Encoding.UTF8.GetBytes(Table));
        bytes.Add(0);
        bytes.AddRange(Row.ToByteArray());
        bytes.AddRange(Encoding.UTF8.GetBytes(Column));
        bytes.Add(0);
        if (User is { } user)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(user));
        }

        return [.. bytes];
    }
}
