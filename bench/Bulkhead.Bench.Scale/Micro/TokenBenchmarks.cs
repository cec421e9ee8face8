using BenchmarkDotNet.Attributes;
using Bulkhead.Host.Auth;
using Bulkhead.Host.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulkhead.Bench.Scale.Micro;

/// <summary>
/// Bearer token validation with the server's own parameters (read from its JwtBearer options, so they are
/// the ones the product configures: RS256, issuer, audience, lifetime), and the token shape check after it.
/// </summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"bulkhead-micro-key-{Environment.ProcessId}.pem");
    private readonly JsonWebTokenHandler _handler = new();
    private TokenValidationParameters _parameters = new();
    private string _token = "";
    private ServiceProvider? _services;

    [GlobalSetup]
    public void Setup()
    {
        var options = new BulkheadOptions { Auth = { Issuer = "bulkhead-bench", Audience = "bulkhead", SigningKeyFile = _keyFile } };
        _services = new ServiceCollection().AddLogging().AddBulkheadAuthentication(options).BuildServiceProvider();
        _parameters = _services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        _token = new TokenIssuer(DevelopmentSigningKey.Load(_keyFile), "bulkhead-bench", "bulkhead", TimeProvider.System)
            .Issue(Guid.CreateVersion7(), "123", Roles.Member, TimeSpan.FromHours(1));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        File.Delete(_keyFile);
    }

    [Benchmark]
    public async Task<bool> Validate() => (await _handler.ValidateTokenAsync(_token, _parameters)).IsValid;
}
