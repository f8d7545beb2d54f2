using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Huntaze.Functions.Observability.Slo;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Observability.Alerting;

/// <summary>What the relay did with one notification.</summary>
public sealed record RelayOutcome(string Kind, string Id, string Action, string State, string DedupKey, string PagerDuty, string Slack);

/// <summary>
/// Turns an Azure Monitor common-schema notification into a PagerDuty Events v2 trigger/resolve and a Slack message.
/// Routing (page or ticket), titles, runbooks and burn-rate thresholds come from the SLO file.
/// </summary>
public sealed partial class AlertRelayService(
    PagerDutyClient pagerDuty,
    SlackClient slack,
    IOptions<AlertRelayOptions> options,
    ILogger<AlertRelayService> logger)
{
    private readonly SloDocument _slos = SloDocument.Current;

    public async Task<RelayOutcome> RelayAsync(CommonAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var route = AlertRoute.For(alert.AlertRule, _slos);
        var dedupKey = DedupKey(alert);
        var settings = options.Value;
        var routingKey = route.Action == AlertAction.Page ? settings.PagerDutyRoutingKey : settings.PagerDutyTicketRoutingKey;
        var state = alert.Resolved ? "resolved" : "firing";

        var pagerDutyResult = "skipped";
        if (!string.IsNullOrEmpty(routingKey))
        {
            await pagerDuty.SendAsync(alert.Resolved
                ? new PagerDutyEvent(routingKey, "resolve", dedupKey)
                : Trigger(alert, route, routingKey, dedupKey), cancellationToken).ConfigureAwait(false);
            pagerDutyResult = alert.Resolved ? "resolved" : "triggered";
        }

        var slackResult = "skipped";
        if (!string.IsNullOrEmpty(settings.SlackWebhookUrl))
        {
            await slack.SendAsync(SlackMessage(alert, route, state), cancellationToken).ConfigureAwait(false);
            slackResult = "sent";
        }

        var action = route.Action == AlertAction.Page ? "page" : "ticket";
        Log.Relayed(logger, alert.AlertRule, state, action, pagerDutyResult, slackResult);
        return new RelayOutcome(route.Kind, route.Id, action, state, dedupKey, pagerDutyResult, slackResult);
    }

    /// <summary>
    /// One key per alert rule and target: every notification of one firing (retries, repeats, the resolve) lands on
    /// the same PagerDuty incident, and a later firing of the same rule joins it while it is still open.
    /// </summary>
    public static string DedupKey(CommonAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var targets = string.Join('\n', alert.TargetIds.Select(t => t.ToLowerInvariant()).Order(StringComparer.Ordinal));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(alert.AlertRule.ToLowerInvariant() + "\n" + targets)))[..16];
        return $"huntaze/{alert.AlertRule.ToLowerInvariant()}/{hash}";
    }

    private PagerDutyEvent Trigger(CommonAlert alert, AlertRoute route, string routingKey, string dedupKey)
    {
        var details = new Dictionary<string, string>
        {
            ["alert_rule"] = alert.AlertRule,
            ["kind"] = route.Kind,
            ["azure_severity"] = alert.Severity,
            ["monitoring_service"] = alert.MonitoringService,
        };
        if (route.Slo is { } slo)
        {
            details["slo"] = $"{slo.Title} ({slo.ObjectivePercent.ToString(CultureInfo.InvariantCulture)}% over {slo.WindowDays} d)";
        }

        if (BurnRateText(alert, route) is { } burn)
        {
            details["burn_rate"] = burn;
        }

        return new PagerDutyEvent(
            routingKey,
            "trigger",
            dedupKey,
            new PagerDutyPayload(
                Summary(alert, route),
                alert.TargetIds.Count > 0 ? alert.TargetIds[0] : _slos.Service,
                route.Action == AlertAction.Page ? "critical" : "warning",
                alert.FiredAt,
                _slos.Service,
                route.Kind,
                route.Id,
                details),
            Links(route, alert),
            "Huntaze alert relay");
    }

    private JsonObject SlackMessage(CommonAlert alert, AlertRoute route, string state)
    {
        var emoji = alert.Resolved ? ":white_check_mark:" : route.Action == AlertAction.Page ? ":rotating_light:" : ":warning:";
        var heading = $"{emoji} [{state.ToUpperInvariant()}] {(route.Action == AlertAction.Page ? "PAGE" : "TICKET")}: {Summary(alert, route)}";
        var lines = new List<string>();
        if (route.Slo is { } slo)
        {
            lines.Add($"*SLO:* {slo.Title}: {slo.ObjectivePercent.ToString(CultureInfo.InvariantCulture)}% over {slo.WindowDays} days");
        }

        if (BurnRateText(alert, route) is { } burn)
        {
            lines.Add($"*Burn rate:* {burn}");
        }

        lines.Add($"*Rule:* `{alert.AlertRule}` ({alert.Severity}, {alert.MonitoringService})");
        var links = Links(route, alert).Select(l => $"<{l.Href}|{l.Text}>").ToList();
        if (links.Count > 0)
        {
            lines.Add(string.Join(" · ", links));
        }

        return new JsonObject
        {
            ["text"] = heading,
            ["blocks"] = new JsonArray(
                new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = heading } },
                new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = string.Join("\n", lines) } }),
        };
    }

    private static string Summary(CommonAlert alert, AlertRoute route) => route.Kind switch
    {
        "slo" => $"{route.Title}: error budget burning at {route.BurnRate!.BurnRate.ToString(CultureInfo.InvariantCulture)}x or more",
        "unknown" => $"Alert {alert.AlertRule}{(string.IsNullOrWhiteSpace(alert.Description) ? "" : $": {alert.Description}")}",
        _ => route.Title,
    };

    private static string? BurnRateText(CommonAlert alert, AlertRoute route)
    {
        if (route.BurnRate is not { } window)
        {
            return null;
        }

        var measured = alert.MetricValue is { } value ? $"{value.ToString("0.##", CultureInfo.InvariantCulture)}x measured, " : "";
        return $"{measured}threshold {window.BurnRate.ToString(CultureInfo.InvariantCulture)}x over {Minutes(window.LongWindowMinutes)} and {Minutes(window.ShortWindowMinutes)}";
    }

    private static string Minutes(int minutes) => minutes % 1440 == 0 ? $"{minutes / 1440} d" : minutes % 60 == 0 ? $"{minutes / 60} h" : $"{minutes} min";

    private List<PagerDutyLink> Links(AlertRoute route, CommonAlert alert)
    {
        var settings = options.Value;
        var links = new List<PagerDutyLink>();
        if (route.Runbook is { } runbook && !string.IsNullOrEmpty(settings.RunbookBaseUrl))
        {
            links.Add(new PagerDutyLink($"{settings.RunbookBaseUrl.TrimEnd('/')}/{runbook}", "Runbook"));
        }

        if (!string.IsNullOrEmpty(settings.DashboardUrl))
        {
            links.Add(new PagerDutyLink(settings.DashboardUrl, "SLO dashboard"));
        }

        if (alert.ResultsLink is { } results)
        {
            links.Add(new PagerDutyLink(results, "Query results"));
        }

        return links;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 13001, Level = LogLevel.Information, Message = "Alert {Rule} ({State}) relayed as {Action}: PagerDuty {PagerDuty}, Slack {Slack}.")]
        public static partial void Relayed(ILogger logger, string rule, string state, string action, string pagerDuty, string slack);
    }
}
