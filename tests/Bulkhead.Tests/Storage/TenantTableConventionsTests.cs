using Bulkhead.Storage;
using Bulkhead.Tenancy;
using Bulkhead.Tests.Verification;
using Bulkhead.Verification;
using Npgsql;

namespace Bulkhead.Tests.Storage;

/// <summary>
/// A migration that holds only a table: the migrator gives it row-level security, the fail-closed policy,
/// the runtime role's privileges and the write gate, in every placement, and a rerun changes nothing.
/// </summary>
public sealed class TenantTableConventionsTests
{
    // Only the table: no policy, no grant, no trigger.
    private static readonly Migration NotesTable = new(9100, "test_notes", """
        create table notes (
            tenant_id uuid not null,
            id        uuid not null,
            body      text not null,
            primary key (tenant_id, id)
        );
        """);

    private static readonly Migration TrailTable = new(9101, "test_trail", """
        create table audit_test_marks (
            tenant_id uuid not null,
            id        uuid not null,
            primary key (tenant_id, id)
        );
        """);

    [Fact]
    public async Task a_migration_with_only_a_table_gets_row_security_grants_and_the_write_gate_in_every_placement()
    {
        await using var db = await TestDatabase.CreateAsync();
        var pooled = await db.CreateTenantAsync(Tier.Pooled);
        var schema = await db.CreateTenantAsync(Tier.Schema);
        var database = await db.CreateTenantAsync(Tier.Database);

        var outcomes = await new PlacementMigrator(db.Owners, [.. Migration.Load(MigrationSet.Tenant), NotesTable, TrailTable]).MigrateAsync(2, null, default);

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Equal(3, outcomes.Count(o => o.Applied == 2));
        var report = await new CatalogLint().RunAsync(db.App, db.Router(), default);
        Assert.True(report.Passed, report.ToText());
        var notes = report.Findings.Where(f => f.Rule == LintRules.Conventions && f.Object.EndsWith(".notes", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, notes.Count);
        Assert.All(notes, f => Assert.Equal("bulkhead_app may SELECT, INSERT, UPDATE, DELETE; behind the write gate", f.Detail));
        Assert.Equal(3, report.Findings.Count(f => f.Rule == LintRules.Conventions && f.Object.EndsWith(".audit_test_marks", StringComparison.Ordinal)
            && f.Detail == "bulkhead_app may SELECT, INSERT; audit trail, not behind the write gate"));

        foreach (var tenant in new[] { pooled, schema, database })
        {
            await using var session = await TenantSession.OpenAsync(tenant.Scope, db.Router(), default);
            await session.ExecuteAsync(default, Sql.Command("insert into notes (tenant_id, id, body) values ($1, $2, 'mine')", tenant.Id, Guid.CreateVersion7()));
            var foreign = await Assert.ThrowsAsync<PostgresException>(() =>
                session.ExecuteAsync(default, Sql.Command("insert into notes (tenant_id, id, body) values ($1, $2, 'theirs')", Guid.NewGuid(), Guid.CreateVersion7())));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, foreign.SqlState);
        }

        Assert.Equal(0L, await db.ScalarAsync<long>(db.App, "select count(*) from app.notes"));
    }

    [Fact]
    public async Task rerunning_the_migrator_is_a_no_op_and_restores_what_was_taken_away()
    {
        await using var db = await TestDatabase.CreateAsync();
        var migrator = new Migrator(db.Owner, [.. Migration.Load(MigrationSet.Tenant), NotesTable]);
        await migrator.MigrateAsync(MigrationSet.Tenant, Placement.SharedSchema, default);

        Assert.Equal(0, await migrator.MigrateAsync(MigrationSet.Tenant, Placement.SharedSchema, default));
        Assert.Equal(0, await ApplyAsync(db));

        await db.SuperuserAsync("""
            drop policy tenant_isolation on app.notes;
            alter table app.notes no force row level security;
            drop trigger tenant_write_gate on app.notes;
            revoke delete on app.notes from bulkhead_app;
            grant update on app.audit_events to bulkhead_app;
            """);
        Assert.False((await Lint.RunAsync(db)).Passed);

        Assert.Equal(5, await ApplyAsync(db));
        Assert.Equal(0, await ApplyAsync(db));
        var report = await Lint.RunAsync(db);
        Assert.True(report.Passed, report.ToText());
    }

    private static async Task<int> ApplyAsync(TestDatabase db)
    {
        await using var connection = await db.Owner.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var changes = await TenantTableConventions.ApplyAsync(connection, transaction, Placement.SharedSchema, default);
        await transaction.CommitAsync();
        return changes;
    }
}
