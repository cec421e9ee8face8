using System.Security.Cryptography;
using System.Text;
using Bulkhead.Crypto;

namespace Bulkhead.Tests.Crypto;

/// <summary>The cipher itself, without a database: the associated data every stored value depends on, and pooled ciphers under concurrency.</summary>
public sealed class ContentCipherTests
{
    [Fact]
    public void the_associated_data_is_tenant_table_row_column_and_user_in_the_layout_stored_values_were_sealed_with()
    {
        var tenant = Guid.NewGuid();
        var row = Guid.NewGuid();
        byte[] Expected(string? user) =>
        [
            .. tenant.ToByteArray(), .. Encoding.UTF8.GetBytes("conversations"), 0, .. row.ToByteArray(), .. Encoding.UTF8.GetBytes("title"), 0,
            .. user is null ? [] : Encoding.UTF8.GetBytes(user),
        ];

        Assert.Equal(Expected(null), new SealedField("conversations", row, "title", null).AssociatedData(tenant));
        Assert.Equal(Expected("zoë@example.com"), new SealedField("conversations", row, "title", "zoë@example.com").AssociatedData(tenant));
    }

    [Fact]
    public void values_sealed_and_opened_on_many_threads_at_once_open_to_their_own_text_and_nowhere_else()
    {
        var cipher = TestKeyRing.Keys.For(Guid.NewGuid());
        var sealedValues = Enumerable.Range(0, 64)
            .Select(i => (Field: new SealedField("messages", Guid.NewGuid(), "content", i % 2 == 0 ? "alice" : null), Text: $"message {i} {new string('x', i * 20)}"))
            .Select(v => (v.Field, v.Text, Value: cipher.Seal(v.Field, v.Text)))
            .ToArray();

        var wrong = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var (field, text, value) = sealedValues[i % sealedValues.Length];
            if (cipher.Open(field, value) != text || cipher.Open(field, cipher.Seal(field, text)) != text)
            {
                Interlocked.Increment(ref wrong);
            }
        });

        Assert.Equal(0, wrong);
        var (first, _, firstValue) = sealedValues[0];
        Assert.Throws<SealBrokenException>(() => cipher.Open(first with { Row = Guid.NewGuid() }, firstValue));
        var tampered = (byte[])firstValue.Clone();
        tampered[^1] ^= 1;
        Assert.Throws<SealBrokenException>(() => cipher.Open(first, tampered));
        Assert.ThrowsAny<CryptographicException>(() => AesGcmBox.Open(RandomNumberGenerator.GetBytes(AesGcmBox.KeySize), firstValue.AsSpan(17), first.AssociatedData(cipher.Tenant)));
    }
}
