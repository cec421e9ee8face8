using System.Security.Claims;
using System.Security.Cryptography;
using Bulkhead.Host.Auth;
using Bulkhead.Tests.Limits;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Tests.Auth;

/// <summary>
/// The cache of validated bearer tokens, in front of the real JsonWebTokenHandler: it saves the signature
/// check of a token seen before, and never accepts what a full check would refuse.
/// </summary>
public sealed class ValidatedTokenCacheTests
{
    private const string Issuer = "bulkhead-test";
    private const string Audience = "bulkhead";

    private static readonly RsaSecurityKey Key = new(RSA.Create(2048)) { KeyId = "current" };

    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly CountingHandler _inner = new();

    [Fact]
    public async Task a_valid_token_is_checked_in_full_once_and_then_served_from_the_cache()
    {
        var cache = new ValidatedTokenCache(_inner, _clock);
        var token = Issue(TimeSpan.FromMinutes(10));

        var first = await cache.ValidateTokenAsync(token, Parameters());
        var second = await cache.ValidateTokenAsync(token, Parameters());

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal(1, _inner.Validations);
        Assert.Equal("123", second.ClaimsIdentity.FindFirst("sub")?.Value);
    }

    [Fact]
    public async Task a_cached_token_is_not_served_from_its_expiry_on_but_goes_back_to_the_full_check()
    {
        var cache = new ValidatedTokenCache(_inner, _clock);
        var token = Issue(TimeSpan.FromMinutes(10));
        await cache.ValidateTokenAsync(token, Parameters());
        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        await cache.ValidateTokenAsync(token, Parameters());
        Assert.Equal(1, _inner.Validations);

        // The full check keeps its own clock and clock skew; the cache never adds a moment to either.
        _clock.Advance(TimeSpan.FromSeconds(1));
        await cache.ValidateTokenAsync(token, Parameters());
        await cache.ValidateTokenAsync(token, Parameters());

        Assert.Equal(3, _inner.Validations);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task a_token_that_expired_is_refused_even_by_a_cache_whose_clock_is_behind()
    {
        var cache = new ValidatedTokenCache(_inner, new ManualClock(DateTimeOffset.UtcNow.AddHours(-2)));
        var now = DateTime.UtcNow;
        var expired = Issue(now.AddHours(-2), now.AddHours(-1));

        Assert.False((await cache.ValidateTokenAsync(expired, Parameters())).IsValid);
        Assert.False((await cache.ValidateTokenAsync(expired, Parameters())).IsValid);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task a_token_with_a_changed_signature_is_not_served_from_the_cache()
    {
        var cache = new ValidatedTokenCache(_inner, _clock);
        var token = Issue(TimeSpan.FromMinutes(10));
        Assert.True((await cache.ValidateTokenAsync(token, Parameters())).IsValid);
        var parts = token.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[^1] ^= 1;

        var forged = await cache.ValidateTokenAsync($"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}", Parameters());

        Assert.False(forged.IsValid);
        Assert.Equal(2, _inner.Validations);
    }

    [Fact]
    public async Task a_cached_tokens_signature_on_another_payload_is_not_served_from_the_cache()
    {
        var cache = new ValidatedTokenCache(_inner, _clock);
        var genuine = Issue(TimeSpan.FromMinutes(10)).Split('.');
        var other = Issue(TimeSpan.FromMinutes(10), sub: "456").Split('.');
        Assert.True((await cache.ValidateTokenAsync(string.Join('.', genuine), Parameters())).IsValid);

        var swapped = await cache.ValidateTokenAsync($"{genuine[0]}.{other[1]}.{genuine[2]}", Parameters());

        Assert.False(swapped.IsValid);
    }

    [Fact]
    public async Task a_cached_token_is_refused_once_its_signing_key_is_no_longer_trusted()
    {
        var cache = new ValidatedTokenCache(_inner, _clock);
        var token = Issue(TimeSpan.FromMinutes(10));
        Assert.True((await cache.ValidateTokenAsync(token, Parameters())).IsValid);
        var rotated = Parameters();
        rotated.IssuerSigningKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "next" };

        var result = await cache.ValidateTokenAsync(token, rotated);

        Assert.False(result.IsValid);
        Assert.Equal(2, _inner.Validations);
    }

    [Fact]
    public async Task a_cached_token_is_not_served_to_validation_parameters_that_expect_another_audience()
    {
        var cache = new ValidatedTokenCache(_inner, _clock);
        var token = Issue(TimeSpan.FromMinutes(10));
        Assert.True((await cache.ValidateTokenAsync(token, Parameters())).IsValid);
        var elsewhere = Parameters();
        elsewhere.ValidAudience = "another-api";

        Assert.False((await cache.ValidateTokenAsync(token, elsewhere)).IsValid);
    }

    [Fact]
    public async Task each_hit_gets_its_own_identity_so_that_claims_added_to_one_request_do_not_reach_the_next()
    {
        var cache = new ValidatedTokenCache(_inner, _clock);
        var token = Issue(TimeSpan.FromMinutes(10));
        await cache.ValidateTokenAsync(token, Parameters());

        var one = await cache.ValidateTokenAsync(token, Parameters());
        one.ClaimsIdentity.AddClaim(new Claim("role", "admin"));
        var two = await cache.ValidateTokenAsync(token, Parameters());

        Assert.NotSame(one.ClaimsIdentity, two.ClaimsIdentity);
        Assert.Single(two.ClaimsIdentity.FindAll("role"));
    }

    [Fact]
    public async Task the_cache_remembers_no_more_tokens_than_its_capacity_and_still_accepts_the_rest()
    {
        var cache = new ValidatedTokenCache(_inner, _clock, capacity: 2);
        var tokens = Enumerable.Range(0, 3).Select(i => Issue(TimeSpan.FromMinutes(10), sub: $"user-{i}")).ToList();

        foreach (var token in tokens)
        {
            Assert.True((await cache.ValidateTokenAsync(token, Parameters())).IsValid);
        }

        Assert.Equal(2, cache.Count);
        Assert.True((await cache.ValidateTokenAsync(tokens[2], Parameters())).IsValid);
        Assert.Equal(4, _inner.Validations);
    }

    [Fact]
    public async Task expired_entries_make_room_for_new_tokens_when_the_cache_is_full()
    {
        var cache = new ValidatedTokenCache(_inner, _clock, capacity: 1);
        var now = _clock.GetUtcNow().UtcDateTime;
        await cache.ValidateTokenAsync(Issue(now.AddMinutes(-1), now.AddMinutes(1), sub: "early"), Parameters());
        _clock.Advance(TimeSpan.FromMinutes(2));
        var later = Issue(now.AddMinutes(-1), now.AddMinutes(10), sub: "later");

        await cache.ValidateTokenAsync(later, Parameters());
        await cache.ValidateTokenAsync(later, Parameters());

        Assert.Equal(1, cache.Count);
        Assert.Equal(2, _inner.Validations);
    }

    private TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
        IssuerSigningKey = Key,
    };

    private string Issue(TimeSpan lifetime, string sub = "123")
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return Issue(now, now + lifetime, sub);
    }

    private static string Issue(DateTime notBefore, DateTime expires, string sub = "123") =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            Claims = new Dictionary<string, object> { ["sub"] = sub, ["role"] = "member", ["tid"] = Guid.CreateVersion7().ToString() },
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
        });

    /// <summary>The real handler, counting the full checks it makes.</summary>
    private sealed class CountingHandler : TokenHandler
    {
        private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
        private int _validations;

        public int Validations => _validations;

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref _validations);
            return _handler.ValidateTokenAsync(token, validationParameters);
        }
    }
}
