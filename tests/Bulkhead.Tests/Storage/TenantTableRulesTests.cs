using Bulkhead.Storage;

namespace Bulkhead.Tests.Storage;

/// <summary>The tenant-table rules on their own: what the runtime role may do with each kind of table, and which tables the write gate fences.</summary>
public sealed class TenantTableRulesTests
{
    [Theory]
    [InlineData("conversations", "SELECT, INSERT, UPDATE, DELETE")]
    [InlineData("audit_events", "SELECT, INSERT")]
    [InlineData("audit_blocks", "SELECT, INSERT")]
    [InlineData("audit_client_addresses", "SELECT, INSERT, DELETE")]
    [InlineData("placement_fences", "SELECT")]
    public void the_runtime_role_gets_what_the_tables_kind_prescribes(string table, string privileges) =>
        Assert.Equal(privileges, string.Join(", ", TenantTableRules.RuntimePrivileges(table)));

    [Fact]
    public void the_audit_trail_is_never_behind_the_write_gate_and_every_other_table_is()
    {
        Assert.False(TenantTableRules.BehindWriteGate("audit_events"));
        Assert.True(TenantTableRules.BehindWriteGate("messages"));
        Assert.True(TenantTableRules.BehindWriteGate("placement_fences"));
    }

    [Fact]
    public void no_kind_of_table_lets_the_runtime_role_truncate_or_add_triggers() =>
        Assert.All(new[] { "users", "audit_seals", "placement_fences" }, t =>
            Assert.DoesNotContain(TenantTableRules.RuntimePrivileges(t), p => p is "TRUNCATE" or "TRIGGER" or "REFERENCES"));
}
