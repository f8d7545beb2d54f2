using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Observability.Alerting;

/// <summary>Start-up checks of <c>AlertRelay__*</c>. The Slack URL's path and the routing keys are secrets: described, never shown.</summary>
internal sealed class AlertRelayOptionsValidator : IValidateOptions<AlertRelayOptions>
{
    private const string UrlRule = "must be an absolute https URL (http only on loopback).";

    public ValidateOptionsResult Validate(string? name, AlertRelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SettingErrors(AlertRelayOptions.Section)
            .Require(AlertRelayOptions.IsAllowedUrl(options.PagerDutyEventsUrl), nameof(options.PagerDutyEventsUrl), options.PagerDutyEventsUrl, UrlRule)
            .RequireSecret(options.SlackWebhookUrl.Length == 0 || AlertRelayOptions.IsAllowedUrl(options.SlackWebhookUrl), nameof(options.SlackWebhookUrl), options.SlackWebhookUrl, UrlRule + " Empty = no Slack.")
            .Require(options.DashboardUrl.Length == 0 || AlertRelayOptions.IsAllowedUrl(options.DashboardUrl), nameof(options.DashboardUrl), options.DashboardUrl, UrlRule)
            .Require(options.RunbookBaseUrl.Length == 0 || AlertRelayOptions.IsAllowedUrl(options.RunbookBaseUrl), nameof(options.RunbookBaseUrl), options.RunbookBaseUrl, UrlRule)
            .Require(options.MaxRetries is >= 1 and <= 10, nameof(options.MaxRetries), options.MaxRetries, "must be between 1 and 10.")
            .Require(options.RetryBaseDelaySeconds is > 0 and <= 30, nameof(options.RetryBaseDelaySeconds), options.RetryBaseDelaySeconds, "must be more than 0 and at most 30.")
            .Require(options.AttemptTimeoutSeconds is > 0 and <= 60, nameof(options.AttemptTimeoutSeconds), options.AttemptTimeoutSeconds, "must be more than 0 and at most 60.")
            .ToResult();
    }
}
