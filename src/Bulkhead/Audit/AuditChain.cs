using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bulkhead.Audit;

/// <summary>
/// The hash chain, computed independently of the database: SHA-256 of the previous hash followed by each
/// field as length-prefixed UTF-8 text (a null is ffffffff), in the order <see cref="AuditSql"/> uses.
/// Length prefixes make the encoding unambiguous, so no two different events hash the same bytes.
/// </summary>
public static class AuditChain
{
    public static byte[] Hash(AuditEvent e)
    {
        using var buffer = new MemoryStream();
        buffer.Write(e.PrevHash ?? []);
        var micros = (e.OccurredAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        string?[] fields =
        [
            e.TenantId.ToString("D"), e.Id.ToString("D"), Text(e.Seq), Text(micros), e.Sub, e.Role, e.TokenId, e.Action,
            e.ResourceType, e.ResourceId, e.Status is { } s ? Text(s) : null, e.ResultCount is { } c ? Text(c) : null, e.RequestId, e.ClientAddress,
        ];
        Span<byte> length = stackalloc byte[4];
        foreach (var field in fields)
        {
            if (field is null)
            {
                buffer.Write([0xff, 0xff, 0xff, 0xff]);
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return SHA256.HashData(buffer.ToArray());
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
