namespace Bulkhead.Audit;

/// <summary>
/// Every access the stores audit in detail, in one place: what the trail calls it and how its outcome is
/// decided. Reads may commit without waiting for the WAL flush (docs/compliance.md, "Durability").
/// </summary>
public static class AuditActions
{
    public static readonly AuditAction ConversationCreate = new("conversation.create", "conversation", ReadOnly: false);
    public static readonly AuditAction ConversationList = new("conversation.list", "conversation", ReadOnly: true);
    public static readonly AuditAction ConversationRead = new("conversation.read", "conversation", ReadOnly: true, MissIsNotFound: true);
    public static readonly AuditAction ConversationUpdate = new("conversation.update", "conversation", ReadOnly: false, MissIsNotFound: true);
    public static readonly AuditAction ConversationDelete = new("conversation.delete", "conversation", ReadOnly: false, MissIsNotFound: true);

    /// <summary>Found when the conversation is visible: give the visibility test with <see cref="AuditAction.FoundWhen"/>.</summary>
    public static readonly AuditAction MessageList = new("message.list", "conversation", ReadOnly: true, MissIsNotFound: true);

    public static readonly AuditAction MessageCreate = new("message.create", "message", ReadOnly: false, MissIsNotFound: true);
    /// <summary>A page of the tenant's users, with their activity, read by an admin.</summary>
    public static readonly AuditAction UserList = new("user.list", "user", ReadOnly: true);

    public static readonly AuditAction UserExport = new("user.export", "user", ReadOnly: true, MissIsNotFound: true);

    /// <summary>Counts the conversations that went with the user (the statement returns one row per user).</summary>
    public static readonly AuditAction UserErase = new("user.erase", "user", ReadOnly: false, MissIsNotFound: true,
        CountSql: "(select coalesce(sum(conversations), 0) from r)");

    /// <summary>A change of the tenant's configuration: <c>ok</c> with the new history row's id, or <c>rejected</c> counting the bad fields.</summary>
    public static readonly AuditAction ConfigChange = new("config.change", "tenant_config", ReadOnly: false);

    /// <summary>The tenant's token usage of one month (the resource id), read by an admin.</summary>
    public static readonly AuditAction UsageRead = new("usage.read", "usage", ReadOnly: true);

    public static readonly AuditAction RetentionSweep = new("retention.sweep", "conversation", ReadOnly: false);

    /// <summary>
    /// The key lifecycle (docs/encryption.md): a tenant's or a user's keys made (named as in the key provider,
    /// never by sub), the tenant's keys rotated (the new data key, counting the user keys re-wrapped), and a
    /// user's keys destroyed by erasure (the user id).
    /// </summary>
    public static readonly AuditAction KeyCreate = new("key.create", "key", ReadOnly: false);

    public static readonly AuditAction KeyRotate = new("key.rotate", "key", ReadOnly: false);

    public static readonly AuditAction KeyDestroy = new("key.destroy", "key", ReadOnly: false, MissIsNotFound: true);

    /// <summary>The key actions, as <c>audit verify</c> counts them.</summary>
    public static IReadOnlyList<AuditAction> KeyLifecycle { get; } = [KeyCreate, KeyRotate, KeyDestroy];
}
