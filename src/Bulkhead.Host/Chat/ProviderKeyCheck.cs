using Bulkhead.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Chat;

/// <summary>
/// Refuses to start with a provider-key sealing key that AES-256 cannot use, so a short or mistyped
/// secret is found at start-up rather than by the first tenant that saves a key.
/// </summary>
public sealed class ProviderKeyCheck : IValidateOptions<BulkheadOptions>
{
    public ValidateOptionsResult Validate(string? name, BulkheadOptions options) =>
        ProviderKeySealer.ReadKey(options.Chat).Problem is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
