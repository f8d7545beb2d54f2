namespace Huntaze.Functions.Observability.Alerting;

/// <summary>
/// Settings of the alert relay (section <c>AlertRelay</c>). The routing keys and the Slack webhook are secrets: in
/// Azure they are Key Vault references (bicep/modules/alerts.bicep); empty means that sink is not used.
/// </summary>
public sealed class AlertRelayOptions
{
    public const string Section = "AlertRelay";

    public const string DefaultPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

    /// <summary>PagerDuty Events API v2 endpoint.</summary>
    public string PagerDutyEventsUrl { get; set; } = DefaultPagerDutyEventsUrl;

    /// <summary>Integration (routing) key of the paging service: alerts routed as <c>page</c>.</summary>
    public string PagerDutyRoutingKey { get; set; } = "";

    /// <summary>Routing key of a low-urgency service for alerts routed as <c>ticket</c>; empty = tickets go to Slack only.</summary>
    public string PagerDutyTicketRoutingKey { get; set; } = "";

    /// <summary>Slack incoming-webhook URL; every alert (page or ticket) is posted there.</summary>
    public string SlackWebhookUrl { get; set; } = "";

    /// <summary>The SLO dashboard (Grafana or the Azure workbook) linked from every message.</summary>
    public string DashboardUrl { get; set; } = "";

    /// <summary>Base URL the SLO file's runbook paths are appended to (the repository's docs).</summary>
    public string RunbookBaseUrl { get; set; } = "";

    /// <summary>Retries of one delivery on 408/429/5xx or a network failure (jittered exponential backoff, Retry-After honoured).</summary>
    public int MaxRetries { get; set; } = 3;

    public double RetryBaseDelaySeconds { get; set; } = 0.5;

    /// <summary>Deadline of one attempt.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 5;

    internal static bool IsAllowedUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
