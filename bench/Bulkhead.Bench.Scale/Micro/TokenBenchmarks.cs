using BenchmarkDotNet.Attributes;
using Bulkhead.Host.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Bench.Scale.Micro;

/// <summary>
/// Bearer token validation with the server's own parameters (read from its JwtBearer options, so they are
/// the ones the product configures: RS256, issuer, audience, lifetime): in full every time, and through the
/// server's own token handler, whose <see cref="ValidatedTokenCache"/> serves a token it has seen before.
/// </summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"bulkhead-micro-key-{Environment.ProcessId}.pem");
    private readonly JsonWebTokenHandler _handler = new();
    private TokenValidationParameters _parameters = new();
    private TokenHandler _server = new JsonWebTokenHandler();
    private string _token = "";
    private ServiceProvider? _services;

    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bulkhead:Auth:Issuer"] = "bulkhead-bench",
            ["Bulkhead:Auth:Audience"] = "bulkhead",
            ["Bulkhead:Auth:SigningKeyFile"] = _keyFile,
            ["Bulkhead:Auth:DevelopmentKey"] = "true",
        }).Build();
        _services = new ServiceCollection().AddLogging().AddBulkheadAuthentication(configuration).BuildServiceProvider();
        var jwt = _services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        _parameters = jwt.TokenValidationParameters;
        _server = jwt.TokenHandlers.Single();
        _token = new TokenIssuer(DevelopmentSigningKey.Load(_keyFile), "bulkhead-bench", "bulkhead", TimeProvider.System)
            .Issue(Guid.CreateVersion7(), "123", Roles.Member, TimeSpan.FromHours(1));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        File.Delete(_keyFile);
    }

    [Benchmark(Baseline = true)]
    public async Task<bool> Validate() => (await _handler.ValidateTokenAsync(_token, _parameters)).IsValid;

    /// <summary>What a request pays when its token was seen before: the server clones the parameters per request, as JwtBearer does.</summary>
    [Benchmark]
    public async Task<bool> ValidateCached() => (await _server.ValidateTokenAsync(_token, _parameters.Clone())).IsValid;
}
