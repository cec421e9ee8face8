using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulkhead.Audit;
using Microsoft.Extensions.Options;

namespace Bulkhead.Host.Audit;

/// <summary>
/// Posts an alert as JSON to the configured webhook, signed so that the receiver can tell it came from
/// us: <c>X-Bulkhead-Signature: sha256=HEX(HMAC-SHA256(secret, timestamp + "." + body))</c> with the
/// timestamp (Unix seconds) in <c>X-Bulkhead-Timestamp</c>, so an old delivery cannot be replayed as new.
/// Failed deliveries are retried with a doubling delay; the alert stays stored either way.
/// </summary>
public sealed class AlertWebhook(IHttpClientFactory clients, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertWebhook> log)
{
    public const string SignatureHeader = "X-Bulkhead-Signature";
    public const string TimestampHeader = "X-Bulkhead-Timestamp";
    public const string ClientName = "alerts";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<bool> SendAsync(Alert alert, CancellationToken ct)
    {
        var settings = options.Value;
        if (settings.WebhookUrl is not { Length: > 0 } url)
        {
            return false;
        }

        var body = JsonSerializer.Serialize(new
        {
            alert.Id,
            alert.Kind,
            alert.TenantId,
            alert.Sub,
            alert.TargetTenant,
            Detail = JsonDocument.Parse(alert.Detail).RootElement,
            alert.RaisedAt,
        }, Json);
        var delay = settings.WebhookRetryDelay;
        for (var attempt = 1; attempt <= settings.WebhookAttempts; attempt++)
        {
            try
            {
                var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add(TimestampHeader, timestamp);
                request.Headers.Add(SignatureHeader, "sha256=" + Sign(settings.WebhookSecret ?? "", timestamp, body));
                using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                log.LogWarning("Alert webhook answered {Status} for alert {AlertId} (attempt {Attempt})", (int)response.StatusCode, alert.Id, attempt);
            }
            catch (HttpRequestException e)
            {
                log.LogWarning(e, "Alert webhook unreachable for alert {AlertId} (attempt {Attempt})", alert.Id, attempt);
            }

            if (attempt < settings.WebhookAttempts)
            {
                await Task.Delay(delay, time, ct);
                delay *= 2;
            }
        }

        log.LogError("Alert {AlertId} was not delivered to the webhook after {Attempts} attempts; it stays listed at /api/admin/alerts", alert.Id, settings.WebhookAttempts);
        return false;
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
}
