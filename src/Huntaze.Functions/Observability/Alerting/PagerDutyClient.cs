using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Observability.Alerting;

/// <summary>PagerDuty Events API v2 (<c>POST /v2/enqueue</c>): trigger and resolve events sharing one dedup key.</summary>
public sealed class PagerDutyClient(HttpClient http, IOptions<AlertRelayOptions> options)
{
    public const string HttpClientName = "pagerduty";

    public async Task SendAsync(PagerDutyEvent message, CancellationToken cancellationToken)
    {
        // 202 is success; anything else after the retries is a failed delivery (Azure Monitor retries the webhook).
        using var response = await http.PostAsJsonAsync(options.Value.PagerDutyEventsUrl, message, PagerDutyJson.Default.PagerDutyEvent, cancellationToken).ConfigureAwait(false);
        AlertDeliveryException.ThrowUnlessAccepted("PagerDuty", response);
    }
}

public sealed record PagerDutyEvent(
    [property: JsonPropertyName("routing_key")] string RoutingKey,
    [property: JsonPropertyName("event_action")] string EventAction,
    [property: JsonPropertyName("dedup_key")] string DedupKey,
    [property: JsonPropertyName("payload")] PagerDutyPayload? Payload = null,
    [property: JsonPropertyName("links")] IReadOnlyList<PagerDutyLink>? Links = null,
    [property: JsonPropertyName("client")] string? Client = null);

public sealed record PagerDutyPayload(
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("timestamp")] DateTimeOffset? Timestamp,
    [property: JsonPropertyName("component")] string Component,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("custom_details")] IReadOnlyDictionary<string, string> CustomDetails);

public sealed record PagerDutyLink([property: JsonPropertyName("href")] string Href, [property: JsonPropertyName("text")] string Text);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PagerDutyEvent))]
internal sealed partial class PagerDutyJson : JsonSerializerContext;

/// <summary>A sink refused or never answered a delivery, after the resilience handler's retries.</summary>
public sealed class AlertDeliveryException(string sink, int? status, Exception? inner = null)
    : Exception($"{sink} did not accept the alert{(status is { } s ? $" (HTTP {s})" : "")}.", inner)
{
    public string Sink { get; } = sink;

    public static void ThrowUnlessAccepted(string sink, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccessStatusCode)
        {
            throw new AlertDeliveryException(sink, (int)response.StatusCode);
        }
    }
}
