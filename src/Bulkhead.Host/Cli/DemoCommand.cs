using Bulkhead.Conversations;
using Bulkhead.Storage;
using Bulkhead.Tenancy;

namespace Bulkhead.Host.Cli;

/// <summary>The demo of <c>./bulkhead up</c>: two tenants that both have a user "123", each with its own conversations.</summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(CliContext context, CancellationToken ct)
    {
        var administration = context.Administration;
        var router = context.Get<IPlacementRouter>();
        foreach (var (slug, name, plan) in new[] { ("acme", "Acme Corp", "basic"), ("globex", "Globex Inc", "premium") })
        {
            var tenant = await administration.FindAsync(slug, ct) ?? await administration.CreateAsync(slug, name, plan, Tier.Pooled, null, ct);
            await using var session = await TenantSession.OpenAsync(tenant.Scope, router, ct);
            var store = new ConversationStore(session, context.Keys);
            var user = new Viewer("123", SeesWholeTenant: false);
            if ((await store.ListAsync(user, null, null, 1, ct)).Items.Count > 0)
            {
                Console.WriteLine($"demo: {slug} already has conversations for user 123");
                continue;
            }

            foreach (var topic in new[] { "Onboarding", "Billing question", "Roadmap" })
            {
                var conversation = await store.CreateAsync(user, $"{name}: {topic}", ct);
                await store.AddMessageAsync(user, conversation.Id, "user", $"A {topic.ToLowerInvariant()} question from {name}'s user 123.", ct);
            }

            Console.WriteLine($"demo: {slug} ({plan}) has user 123 with 3 conversations");
        }

        return 0;
    }
}
