using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Bulkhead.Bench.Scale.Run.Peer;

/// <summary>
/// The peer's data access as the EF Core documentation's multi-tenancy pattern has it: the tenant comes
/// from the request's token, and a global query filter adds <c>tenant_id = @tenant</c> to every query of
/// every entity. No row-level security: it connects as a role that bypasses it.
/// </summary>
public sealed class PeerDbContext(DbContextOptions<PeerDbContext> options, IHttpContextAccessor http) : DbContext(options)
{
    public Guid TenantId { get; } = Guid.TryParse(http.HttpContext?.User.FindFirst("tid")?.Value, out var tid) ? tid : Guid.Empty;

    public DbSet<PeerConversation> Conversations => Set<PeerConversation>();

    public DbSet<PeerUser> Users => Set<PeerUser>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PeerUser>(user =>
        {
            user.ToTable("users", "app");
            user.HasKey(u => new { u.TenantId, u.Id });
            user.Property(u => u.TenantId).HasColumnName("tenant_id");
            user.Property(u => u.Id).HasColumnName("id");
            user.Property(u => u.Sub).HasColumnName("sub");
            user.HasQueryFilter(u => u.TenantId == TenantId);
        });

        modelBuilder.Entity<PeerConversation>(conversation =>
        {
            conversation.ToTable("conversations", "app");
            conversation.HasKey(c => new { c.TenantId, c.Id });
            conversation.Property(c => c.TenantId).HasColumnName("tenant_id");
            conversation.Property(c => c.Id).HasColumnName("id");
            conversation.Property(c => c.UserId).HasColumnName("user_id");
            conversation.Property(c => c.Title).HasColumnName("title");
            conversation.Property(c => c.CreatedAt).HasColumnName("created_at");
            conversation.Property(c => c.UpdatedAt).HasColumnName("updated_at");
            conversation.HasOne(c => c.User).WithMany().HasForeignKey(c => new { c.TenantId, c.UserId });
            conversation.HasQueryFilter(c => c.TenantId == TenantId);
        });
    }
}
