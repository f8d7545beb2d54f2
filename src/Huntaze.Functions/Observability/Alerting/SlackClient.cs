using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Observability.Alerting;

/// <summary>Slack incoming webhook: one message per notification, Block Kit with a plain-text fallback.</summary>
public sealed class SlackClient(HttpClient http, IOptions<AlertRelayOptions> options)
{
    public const string HttpClientName = "slack";

    public async Task SendAsync(JsonObject message, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(options.Value.SlackWebhookUrl, message, cancellationToken).ConfigureAwait(false);
        AlertDeliveryException.ThrowUnlessAccepted("Slack", response);
    }
}
