using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Host.Auth;

/// <summary>
/// Remembers bearer tokens that passed validation, so that a client presenting the same token on every
/// request pays for one RS256 signature check (about 80 µs of CPU), not one per request.
/// <para>
/// An entry is found only by the SHA-256 of the whole token together with the validation parameters that
/// accepted it; it is served only while the key that signed the token is still a trusted key (a key
/// dropped from the JWKS, or another configured key, means a full check), and never after the token's own
/// expiry, without the clock skew a full check allows. A token altered in any byte hashes elsewhere and is
/// checked in full. Only successes are kept, in at most <see cref="Capacity"/> entries: when full, new tokens
/// are still checked but not remembered until expired entries make room.
/// </para>
/// </summary>
public sealed class ValidatedTokenCache(TokenHandler inner, TimeProvider time, int capacity = ValidatedTokenCache.DefaultCapacity) : TokenHandler
{
    public const int DefaultCapacity = 10_000;

    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<TokenKey, Entry> _entries = new();
    private long _nextSweepTicks;

    public int Capacity => capacity;

    public int Count => _entries.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        if (!Cacheable(validationParameters))
        {
            return await inner.ValidateTokenAsync(token, validationParameters);
        }

        var key = TokenKey.Of(token, validationParameters);
        if (_entries.TryGetValue(key, out var entry))
        {
            if (time.GetUtcNow() < entry.Expires && await TrustsAsync(validationParameters, entry.SigningKey))
            {
                return entry.Copy();
            }

            _entries.TryRemove(new KeyValuePair<TokenKey, Entry>(key, entry));
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result is { IsValid: true, ClaimsIdentity: { } identity, SecurityToken: JsonWebToken { SigningKey: { } signer } jwt }
            && new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) is var expires && expires > time.GetUtcNow() && HasRoom())
        {
            _entries[key] = new Entry(identity.Clone(), jwt, result.Issuer, result.TokenType, signer, expires);
        }

        return result;
    }

    /// <summary>
    /// Parameters whose outcome the key cannot capture are never served from here: custom validator or
    /// resolver delegates (they may depend on anything), replay detection (every presentation must be seen).
    /// </summary>
    private static bool Cacheable(TokenValidationParameters p) =>
        p is
        {
            ValidateTokenReplay: false, TokenReplayCache: null, TokenReplayValidator: null,
            IssuerValidator: null, IssuerValidatorUsingConfiguration: null,
            AudienceValidator: null, LifetimeValidator: null, AlgorithmValidator: null, TypeValidator: null,
            SignatureValidator: null, SignatureValidatorUsingConfiguration: null,
            IssuerSigningKeyResolver: null, IssuerSigningKeyResolverUsingConfiguration: null,
            IssuerSigningKeyValidator: null, IssuerSigningKeyValidatorUsingConfiguration: null,
            TokenReader: null, TransformBeforeSignatureValidation: null, ValidateActor: false,
        };

    private static async ValueTask<bool> TrustsAsync(TokenValidationParameters p, SecurityKey signer)
    {
        if (ReferenceEquals(p.IssuerSigningKey, signer) || (p.IssuerSigningKeys?.Any(k => ReferenceEquals(k, signer)) ?? false))
        {
            return true;
        }

        // JwtBearer with an authority or a JWKS hands the keys over as a configuration manager, which caches
        // them itself; after a refresh the key objects are new, and the next request is checked in full.
        if (p.ConfigurationManager is { } manager)
        {
            var configuration = await manager.GetBaseConfigurationAsync(CancellationToken.None);
            return configuration?.SigningKeys.Any(k => ReferenceEquals(k, signer)) ?? false;
        }

        return false;
    }

    private bool HasRoom()
    {
        if (_entries.Count < capacity)
        {
            return true;
        }

        var now = time.GetUtcNow();
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks >= next && Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, next) == next)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.Expires <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }

        return _entries.Count < capacity;
    }

    private sealed record Entry(System.Security.Claims.ClaimsIdentity Identity, JsonWebToken Token, string? Issuer, string? TokenType, SecurityKey SigningKey, DateTimeOffset Expires)
    {
        // A fresh identity per request: the pipeline may add to the principal it is given.
        public TokenValidationResult Copy() => new()
        {
            IsValid = true,
            ClaimsIdentity = Identity.Clone(),
            SecurityToken = Token,
            Issuer = Issuer,
            TokenType = TokenType,
        };
    }

    /// <summary>SHA-256 of the validation parameters' fingerprint and the whole token.</summary>
    private readonly record struct TokenKey(ulong A, ulong B, ulong C, ulong D)
    {
        public static TokenKey Of(string token, TokenValidationParameters p)
        {
            var text = string.Join('\n',
                p.ValidIssuer, Join(p.ValidIssuers), p.ValidAudience, Join(p.ValidAudiences), Join(p.ValidAlgorithms), Join(p.ValidTypes),
                p.ValidateIssuer, p.ValidateAudience, p.ValidateLifetime, p.ValidateIssuerSigningKey, p.RequireSignedTokens, p.RequireExpirationTime,
                p.RequireAudience, p.ValidateSignatureLast, p.ClockSkew, p.AuthenticationType, p.NameClaimType, p.RoleClaimType,
                p.ConfigurationManager is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(p.ConfigurationManager), "", token);
            var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
            try
            {
                Span<byte> hash = stackalloc byte[32];
                SHA256.HashData(bytes.AsSpan(0, Encoding.UTF8.GetBytes(text, bytes)), hash);
                return new TokenKey(
                    BitConverter.ToUInt64(hash[..8]), BitConverter.ToUInt64(hash[8..16]), BitConverter.ToUInt64(hash[16..24]), BitConverter.ToUInt64(hash[24..]));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        private static string Join(IEnumerable<string>? values) => values is null ? "" : string.Join(' ', values);
    }
}
