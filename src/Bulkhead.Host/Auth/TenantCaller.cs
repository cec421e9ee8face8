using System.Security.Claims;
using Bulkhead.Audit;
using Bulkhead.Conversations;
using Bulkhead.Crypto;
using Bulkhead.Host.Audit;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Auth;

/// <summary>
/// The verified caller of a tenant endpoint: the tenant named by the token's tid (resolved and checked
/// active by <see cref="TenantResolution"/>), the token's sub and role. Handlers take it as a parameter.
/// Sessions it opens are audited as <see cref="Actor"/>; <see cref="Keys"/> seal and open its content.
/// </summary>
public sealed record TenantCaller(Tenant Tenant, string Sub, string Role, IPlacementRouter Router, KeyRing Keys, AuditActor? Actor = null)
{
    public bool IsAdmin => Role == Roles.Admin;

    public Viewer Viewer => new(Sub, SeesWholeTenant: IsAdmin);

    public Task<TenantSession> OpenSessionAsync(CancellationToken ct) => TenantSession.OpenAsync(Tenant.Scope, Router, Actor, ct);

    public static ValueTask<TenantCaller?> BindAsync(HttpContext context)
    {
        var tenant = context.Features.Get<Tenant>()
            ?? throw new InvalidOperationException("A tenant endpoint was reached without a resolved tenant; is it missing RequireAuthorization(Policies.Tenant)?");
        var user = context.User;
        return ValueTask.FromResult<TenantCaller?>(new TenantCaller(
            tenant,
            user.FindFirstValue(Claims.Subject)!,
            user.FindFirstValue(Claims.Role) ?? Roles.Member,
            context.RequestServices.GetRequiredService<IPlacementRouter>(),
            context.RequestServices.GetRequiredService<KeyRing>(),
            RequestActor.From(context)));
    }
}
