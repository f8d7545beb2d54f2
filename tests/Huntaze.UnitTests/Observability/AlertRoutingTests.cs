using System.Text.Json;
using Huntaze.Functions.Observability.Alerting;
using Huntaze.Functions.Observability.Slo;

namespace Huntaze.UnitTests.Observability;

public sealed class AlertRoutingTests
{
    private static readonly SloDocument Slos = SloDocument.Current;

    [Theory]
    [InlineData("huntaze-prod-slo-onboarding-availability-fast", "slo", "onboarding-availability", AlertAction.Page)]
    [InlineData("huntaze-prod-slo-onboarding-latency-medium", "slo", "onboarding-latency", AlertAction.Page)]
    [InlineData("huntaze-prod-slo-kill-switch-propagation-slow", "slo", "kill-switch-propagation", AlertAction.Ticket)]
    [InlineData("huntaze-prod-warn-gate-409-10pct", "warning", "gate-409-10pct", AlertAction.Ticket)]
    [InlineData("huntaze-prod-alert-flags-stale", "direct", "flags-stale", AlertAction.Page)]
    [InlineData("huntaze-prod-alert-backup-failed", "direct", "backup-failed", AlertAction.Page)]
    [InlineData("huntaze-prod-availability", "availability", "availability", AlertAction.Page)]
    [InlineData("Someone's portal rule", "unknown", "Someone's portal rule", AlertAction.Ticket)]
    public void For_RuleNameFromBicep_RoutesPerSloFile(string rule, string kind, string id, AlertAction action)
    {
        var route = AlertRoute.For(rule, Slos);

        Assert.Equal((kind, id, action), (route.Kind, route.Id, route.Action));
    }

    [Fact]
    public void For_SloIdThatPrefixesAnother_PicksTheExactSuffix()
    {
        // "onboarding-availability-fast" must not be read as an SLO "onboarding" with window "availability-fast".
        var route = AlertRoute.For("x-slo-onboarding-availability-fast", Slos);

        Assert.Equal("onboarding-availability", route.Slo!.Id);
        Assert.Equal("fast", route.BurnRate!.Name);
    }

    [Fact]
    public void DedupKey_SameRuleAndTargetsAcrossFiredAndResolved_Same()
    {
        var fired = Alert("r1", resolved: false, "/subscriptions/s/resourceGroups/g/providers/x/y");
        var resolved = Alert("R1", resolved: true, "/SUBSCRIPTIONS/s/resourceGroups/g/providers/x/y") with { AlertId = "other" };

        Assert.Equal(AlertRelayService.DedupKey(fired), AlertRelayService.DedupKey(resolved));
        Assert.NotEqual(AlertRelayService.DedupKey(fired), AlertRelayService.DedupKey(Alert("r2", resolved: false, "/subscriptions/s/resourceGroups/g/providers/x/y")));
        Assert.InRange(AlertRelayService.DedupKey(fired).Length, 1, 255);
    }

    [Theory]
    [InlineData("""{"schemaId":"AzureMonitorMetricAlert","data":{}}""", "schemaId")]
    [InlineData("""{"schemaId":"azureMonitorCommonAlertSchema"}""", "data.essentials")]
    [InlineData("""{"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{"alertId":"a","alertRule":"r","monitorCondition":"Maybe"}}}""", "monitorCondition")]
    public void TryParse_NotACommonSchemaAlert_NamesTheField(string json, string field)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Null(CommonAlert.TryParse(document.RootElement, out var error));
        Assert.Contains(field, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PagerDutyEventsUrl", "ftp://events.example", "AlertRelay:PagerDutyEventsUrl is 'ftp://events.example';")]
    [InlineData("PagerDutyEventsUrl", "http://events.pagerduty.com/v2/enqueue", "AlertRelay:PagerDutyEventsUrl is 'http://events.pagerduty.com/v2/enqueue';")]
    [InlineData("SlackWebhookUrl", "http://hooks.example/services/T000/B000/topsecretpath", "AlertRelay:SlackWebhookUrl is a secret of")]
    [InlineData("DashboardUrl", "grafana", "AlertRelay:DashboardUrl is 'grafana';")]
    public void Validate_BadUrl_NamesSettingAndValueButNeverTheSlackPath(string setting, string value, string expected)
    {
        var options = new AlertRelayOptions();
        typeof(AlertRelayOptions).GetProperty(setting)!.SetValue(options, value);

        var result = new AlertRelayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecretpath", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_AndLoopbackHttp_Accepted()
    {
        Assert.True(new AlertRelayOptionsValidator().Validate(null, new AlertRelayOptions()).Succeeded);
        Assert.True(new AlertRelayOptionsValidator().Validate(null, new AlertRelayOptions { PagerDutyEventsUrl = "http://127.0.0.1:5000/v2/enqueue", SlackWebhookUrl = "http://127.0.0.1:5001/services/x" }).Succeeded);
    }

    private static CommonAlert Alert(string rule, bool resolved, string target) =>
        new("id-1", rule, "Sev1", "Log", resolved, "Log Alerts V2", null, null, null, [target], 15, null);
}
