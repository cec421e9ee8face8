namespace Bulkhead.Host.Audit;

/// <summary>What a token's <c>sub</c> identifies, which decides whether sub_in_several_tenants can mean anything.</summary>
public enum SubjectScope
{
    /// <summary>
    /// <see cref="Issuer"/> when tokens are verified with an identity provider's keys (Bulkhead:Auth:Authority or
    /// JwksUrl); <see cref="Tenant"/> with the development signing key, whose tokens carry whatever tid and sub
    /// they were minted with.
    /// </summary>
    Auto,

    /// <summary>A sub names one principal across the issuer's tenants (OpenID Connect: unique within the issuer).</summary>
    Issuer,

    /// <summary>A sub is a user id within its tenant: user 123 of one tenant and of another are two people.</summary>
    Tenant,
}
