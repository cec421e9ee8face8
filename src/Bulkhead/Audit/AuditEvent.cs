using Npgsql;

namespace Bulkhead.Audit;

/// <summary>One stored audit event: every column of <c>audit_events</c>, in the order the leaf hash encodes them.</summary>
/// <param name="Xid">The transaction that wrote the event (<c>pg_current_xact_id()</c>); the sealer orders by it.</param>
public sealed record AuditEvent(
    Guid TenantId,
    Guid Id,
    DateTimeOffset OccurredAt,
    ulong Xid,
    string Sub,
    string Role,
    string? TokenId,
    string Action,
    string? ResourceType,
    string? ResourceId,
    AuditOutcome? Outcome,
    long? ResultCount,
    string? RequestId,
    string? ClientAddress)
{
    /// <summary>Every column of the table; a test compares it with the catalog, so a new column cannot escape the leaf hash.</summary>
    public static readonly IReadOnlyList<string> ColumnNames =
    [
        "tenant_id", "id", "occurred_at", "xid", "sub", "role", "token_id", "action", "resource_type", "resource_id",
        "outcome", "result_count", "request_id", "client_address",
    ];

    public static readonly string Columns = string.Join(", ", ColumnNames);

    /// <summary>The columns qualified with a table alias, for joins.</summary>
    public static string ColumnsOf(string alias) => string.Join(", ", ColumnNames.Select(c => alias + "." + c));

    public static AuditEvent Read(NpgsqlDataReader r, int first = 0)
    {
        string? Text(int i) => r.IsDBNull(first + i) ? null : r.GetString(first + i);
        return new AuditEvent(
            r.GetGuid(first), r.GetGuid(first + 1), r.GetFieldValue<DateTimeOffset>(first + 2), r.GetFieldValue<ulong>(first + 3),
            r.GetString(first + 4), r.GetString(first + 5), Text(6), r.GetString(first + 7), Text(8), Text(9),
            AuditOutcomes.Parse(Text(10)), r.IsDBNull(first + 11) ? null : r.GetInt64(first + 11), Text(12), Text(13));
    }

    /// <summary>
    /// The leaf's bytes (RFC 6962 leaf data): each column as its name and its value, both length-prefixed
    /// (int4, big-endian) UTF-8 text, a null value as ffffffff. Times are microseconds since the Unix
    /// epoch, ids lower-case. Length prefixes make the encoding unambiguous.
    /// </summary>
    public byte[] LeafData()
    {
        string?[] values =
        [
            TenantId.ToString("D"), Id.ToString("D"), Number((OccurredAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10), Xid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Sub, Role, TokenId, Action, ResourceType, ResourceId, Outcome?.Text(), ResultCount is { } c ? Number(c) : null, RequestId, ClientAddress,
        ];
        using var buffer = new MemoryStream(256);
        for (var i = 0; i < values.Length; i++)
        {
            Field(buffer, ColumnNames[i]);
            Field(buffer, values[i]);
        }

        return buffer.ToArray();
    }

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Field(MemoryStream buffer, string? text)
    {
        Span<byte> length = stackalloc byte[4];
        if (text is null)
        {
            buffer.Write([0xff, 0xff, 0xff, 0xff]);
            return;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
