using Bulkhead.Limits;
using Microsoft.AspNetCore.Diagnostics;

namespace Bulkhead.Host.Limits;

/// <summary>
/// Turns the limits' exceptions into their problems wherever they are thrown (a chat handler calling
/// <see cref="ITokenQuota"/> or <see cref="ILlmConcurrencyGate"/> needs no code of its own for them).
/// Registered before the catch-all handler.
/// </summary>
public sealed class LimitExceptionHandler(TimeProvider time) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        switch (exception)
        {
            case TokenQuotaExceededException quota:
                await LimitProblems.QuotaExceededAsync(context, quota, time);
                return true;
            case LlmConcurrencyExceededException busy:
                await LimitProblems.LlmBusyAsync(context, busy);
                return true;
            case LimiterUnavailableException:
                await LimitProblems.LimiterUnavailableAsync(context);
                return true;
            default:
                return false;
        }
    }
}
