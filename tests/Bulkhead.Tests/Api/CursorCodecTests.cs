using System.Security.Cryptography;
using Bulkhead.Host.Api;

namespace Bulkhead.Tests.Api;

/// <summary>Cursor sealing on its own: a cursor opens only under the binding (tenant, user, list) it was sealed for.</summary>
public sealed class CursorCodecTests
{
    private readonly CursorCodec _codec = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void a_cursor_decodes_to_its_key_under_the_same_binding()
    {
        var after = Guid.CreateVersion7();

        Assert.True(_codec.TryDecode(_codec.Encode(after, "tenant-a|alice|conversations"), "tenant-a|alice|conversations", out var decoded));
        Assert.Equal(after, decoded);
    }

    [Theory]
    [InlineData("tenant-b|alice|conversations")]
    [InlineData("tenant-a|bob|conversations")]
    [InlineData("tenant-a|alice|messages")]
    public void a_cursor_replayed_by_another_tenant_user_or_list_is_refused_and_decodes_to_nothing(string binding)
    {
        var cursor = _codec.Encode(Guid.CreateVersion7(), "tenant-a|alice|conversations");

        Assert.False(_codec.TryDecode(cursor, binding, out var decoded));
        Assert.Equal(Guid.Empty, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64url!")]
    [InlineData("AAAA")]
    public void a_malformed_cursor_is_refused(string cursor) => Assert.False(_codec.TryDecode(cursor, "tenant-a|alice|conversations", out _));

    [Fact]
    public void a_cursor_sealed_under_another_key_is_refused()
    {
        var other = new CursorCodec(RandomNumberGenerator.GetBytes(32));

        Assert.False(_codec.TryDecode(other.Encode(Guid.CreateVersion7(), "b"), "b", out _));
    }

    [Fact]
    public void the_same_key_sealed_twice_gives_two_cursors()
    {
        var after = Guid.CreateVersion7();

        Assert.NotEqual(_codec.Encode(after, "b"), _codec.Encode(after, "b"));
    }
}
