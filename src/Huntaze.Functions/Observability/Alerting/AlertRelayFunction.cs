using System.Text.Json;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Observability.Alerting;

/// <summary>
/// The action group's secure webhook: Azure Monitor's common alert schema in, PagerDuty and Slack out.
/// Authenticated with the token Entra issues to the action group (role <see cref="Roles.AlertSender"/>).
/// </summary>
public sealed class AlertRelayFunction(AlertRelayService relay)
{
    /// <summary>Azure Monitor's own limit for a common-schema notification.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    [Function("AlertRelay")]
    [RequireRoles(Roles.AlertSender)]
    [RateLimit(RateLimitPolicies.AlertRelay)]
    [ApiBody(typeof(JsonElement), Description = "An Azure Monitor notification in the common alert schema (at most 256 KiB).")]
    [ApiResponse(200, typeof(RelayOutcome))]
    public async Task<IActionResult> Relay(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "alerts/relay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync<JsonElement>(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        var alert = CommonAlert.TryParse(body, out var error) ?? throw Problems.AlertNotCommonSchema(error);
        try
        {
            return ApiResult.Ok(await relay.RelayAsync(alert, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is AlertDeliveryException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // 503 makes Azure Monitor retry the webhook; a repeated trigger lands on the same PagerDuty incident.
            throw Problems.AlertDeliveryFailed(
                exception is AlertDeliveryException delivery ? delivery.Message : "PagerDuty or Slack could not be reached.",
                (exception as AlertDeliveryException)?.Sink,
                TimeSpan.FromSeconds(30));
        }
    }
}
