using System.Security.Cryptography;

namespace Bulkhead.Tests.Chat;

/// <summary>
/// A test database, the fake model server, and two API instances on the same database (as two
/// replicas behind a load balancer would be), both pointed at the fake as their OpenAI provider.
/// </summary>
public sealed class ChatFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public FakeOpenAIServer Model { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public RunningServer Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Model = await FakeOpenAIServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Bulkhead:Chat:OpenAI:BaseUrl"] = Model.BaseUrl,
            ["Bulkhead:Chat:OpenAI:ApiKey"] = "server-key",
            ["Bulkhead:Chat:OpenAI:AttemptTimeout"] = "00:00:02",
            ["Bulkhead:Chat:OpenAI:MaxRetries"] = "1",
            ["Bulkhead:Chat:OpenAI:RetryDelay"] = "00:00:00.050",
            ["Bulkhead:Chat:ProviderKeySecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        for (var i = 0; i < FakeOpenAIServer.Models.Length; i++)
        {
            settings[$"Bulkhead:Chat:OpenAI:Models:{i}"] = FakeOpenAIServer.Models[i];
        }

        Server = await RunningServer.StartAsync(Database, settings);
        Second = await RunningServer.StartAsync(Database, settings);
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await Server.DisposeAsync();
        await Model.DisposeAsync();
        await Database.DisposeAsync();
    }
}
