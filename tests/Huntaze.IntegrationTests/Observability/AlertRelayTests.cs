using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Security;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Observability;

/// <summary>
/// The relay on a local host of its own, delivering to fake PagerDuty and Slack servers on 127.0.0.1, fed with
/// Microsoft's sample common-schema payloads (Payloads/) carrying our rule names.
/// </summary>
public sealed class AlertRelayTests(HostFixture fixture)
{
    private const string Prefix = "huntaze-dev-";
    private const string RoutingKey = "R0UTINGKEYPAGE00000000000000000";
    private const string DashboardUrl = "https://grafana.example.test/d/huntaze-slo";
    private const string RunbookBase = "https://github.example.test/huntaze/blob/main";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Relay_BurnRateLogAlertFired_TriggersPagerDutyAndSlackWithSloBurnRateRunbookAndDashboard()
    {
        await using var rig = await StartAsync(Roles.AlertSender);
        var (sinks, sender) = (rig.Sinks, rig.Client);

        using var response = await PostAsync(sender, Payload("log-search-v2-fired.json", $"{Prefix}slo-onboarding-availability-fast", "Fired", 15.3));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var trigger = Assert.Single(sinks.PagerDutyEvents);
        Assert.Equal("trigger", trigger.GetProperty("event_action").GetString());
        Assert.Equal(RoutingKey, trigger.GetProperty("routing_key").GetString());
        Assert.Equal("critical", trigger.GetProperty("payload").GetProperty("severity").GetString());
        Assert.Contains("Onboarding API availability", trigger.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("15.3x measured, threshold 14.4x over 1 h and 5 min", trigger.GetProperty("payload").GetProperty("custom_details").GetProperty("burn_rate").GetString());
        var links = trigger.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("href").GetString()).ToList();
        Assert.Contains($"{RunbookBase}/docs/runbooks/slo-onboarding-availability.md", links);
        Assert.Contains(DashboardUrl, links);
        var slack = SlackText(Assert.Single(sinks.SlackMessages));
        Assert.Contains("[FIRING] PAGE", slack, StringComparison.Ordinal);
        Assert.Contains("*SLO:* Onboarding API availability: 99.9% over 30 days", slack, StringComparison.Ordinal);
        Assert.Contains("*Burn rate:* 15.3x measured, threshold 14.4x", slack, StringComparison.Ordinal);
        Assert.Contains($"<{RunbookBase}/docs/runbooks/slo-onboarding-availability.md|Runbook>", slack, StringComparison.Ordinal);
        Assert.Contains($"<{DashboardUrl}|SLO dashboard>", slack, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_SameAlertTwiceThenResolved_OneDedupKeyForTriggerRepeatAndResolve()
    {
        await using var rig = await StartAsync(Roles.AlertSender);
        var (sinks, sender) = (rig.Sinks, rig.Client);
        var rule = $"{Prefix}slo-onboarding-latency-medium";

        foreach (var condition in new[] { "Fired", "Fired", "Resolved" })
        {
            using var response = await PostAsync(sender, Payload("log-search-v2-fired.json", rule, condition, 7));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var events = sinks.PagerDutyEvents.ToList();
        Assert.Equal(["trigger", "trigger", "resolve"], events.Select(e => e.GetProperty("event_action").GetString()));
        Assert.Single(events.Select(e => e.GetProperty("dedup_key").GetString()).Distinct());
        Assert.Contains("[RESOLVED]", SlackText(sinks.SlackMessages.Last()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_AvailabilityMetricAlertFiredThenResolved_PagesAndResolvesTheSameIncident()
    {
        await using var rig = await StartAsync(Roles.AlertSender);
        var (sinks, sender) = (rig.Sinks, rig.Client);

        using (var fired = await PostAsync(sender, Payload("metric-resolved.json", $"{Prefix}availability", "Fired", 60)))
        using (var resolved = await PostAsync(sender, Payload("metric-resolved.json", $"{Prefix}availability", "Resolved", 100)))
        {
            Assert.Equal(HttpStatusCode.OK, fired.StatusCode);
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        }

        var events = sinks.PagerDutyEvents.ToList();
        Assert.Equal(["trigger", "resolve"], events.Select(e => e.GetProperty("event_action").GetString()));
        Assert.Equal(events[0].GetProperty("dedup_key").GetString(), events[1].GetProperty("dedup_key").GetString());
        Assert.Contains("docs/runbooks/availability-test.md", events[0].GetProperty("links").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_SlowBurnRoutedAsTicketWithoutTicketKey_SlackOnly()
    {
        await using var rig = await StartAsync(Roles.AlertSender);
        var (sinks, sender) = (rig.Sinks, rig.Client);

        using var response = await PostAsync(sender, Payload("log-search-v2-fired.json", $"{Prefix}slo-api-server-errors-slow", "Fired", 1.2));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(sinks.PagerDutyEvents);
        Assert.Contains("[FIRING] TICKET", SlackText(Assert.Single(sinks.SlackMessages)), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("ticket", body.RootElement.GetProperty("action").GetString());
        Assert.Equal("skipped", body.RootElement.GetProperty("pagerDuty").GetString());
    }

    [Fact]
    public async Task Relay_MicrosoftSampleVerbatim_UnknownRuleRelayedAsTicketNotDropped()
    {
        await using var rig = await StartAsync(Roles.AlertSender);
        var (sinks, sender) = (rig.Sinks, rig.Client);

        using var response = await PostAsync(sender, File.ReadAllText(PayloadPath("metric-resolved.json")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("WCUS-R2-Gen2", SlackText(Assert.Single(sinks.SlackMessages)), StringComparison.Ordinal);
        Assert.Empty(sinks.PagerDutyEvents);
    }

    [Fact]
    public async Task Relay_PagerDutyAnswers500Once_RetriedOnceAndDelivered()
    {
        await using var rig = await StartAsync(Roles.AlertSender);
        var (sinks, sender) = (rig.Sinks, rig.Client);
        sinks.PagerDutyFailures.Enqueue(500);

        using var response = await PostAsync(sender, Payload("log-search-v2-fired.json", $"{Prefix}alert-flags-stale", "Fired", 42));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, sinks.PagerDutyAttempts);
        Assert.Single(sinks.PagerDutyEvents);
    }

    [Fact]
    public async Task Relay_PagerDutyKeepsFailing_503WithRetryAfterAfterBoundedAttempts()
    {
        await using var rig = await StartAsync(Roles.AlertSender);
        var (sinks, sender) = (rig.Sinks, rig.Client);
        for (var i = 0; i < 10; i++)
        {
            sinks.PagerDutyFailures.Enqueue(503);
        }

        using var response = await PostAsync(sender, Payload("log-search-v2-fired.json", $"{Prefix}alert-flags-stale", "Fired", 42));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("alert-delivery-failed", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(3, sinks.PagerDutyAttempts); // the first attempt + MaxRetries (2 here): one retry layer, not several
    }

    [Fact]
    public async Task Relay_BodyNotCommonSchema_400ProblemAndNothingSent()
    {
        await using var rig = await StartAsync(Roles.AlertSender);
        var (sinks, sender) = (rig.Sinks, rig.Client);

        using var response = await PostAsync(sender, """{"schemaId":"AzureMonitorMetricAlert","data":{"status":"Activated"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("alert-not-common-schema", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(sinks.PagerDutyEvents);
        Assert.Empty(sinks.SlackMessages);
    }

    [Fact]
    public async Task Relay_CallerWithoutAlertSenderRole_403AndNothingSent()
    {
        await using var rig = await StartAsync(Roles.Admin);
        var (sinks, admin) = (rig.Sinks, rig.Client);

        using var response = await PostAsync(admin, Payload("log-search-v2-fired.json", $"{Prefix}alert-flags-stale", "Fired", 42));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(sinks.PagerDutyEvents);
    }

    [Fact]
    public async Task Relay_OverItsRateLimit_429()
    {
        await using var rig = await StartAsync(Roles.AlertSender, new() { ["RateLimits__alert-relay__Limit"] = "2" });
        var sender = rig.Client;
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 3; i++)
        {
            using var response = await PostAsync(sender, Payload("log-search-v2-fired.json", $"{Prefix}alert-flags-stale", "Fired", 42));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    /// <summary>Fake sinks, a local host delivering to them, and a client calling it with <paramref name="role"/>.</summary>
    private sealed record Rig(FakeAlertSinks Sinks, LocalHostInstance Host, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Host.DisposeAsync();
            await Sinks.DisposeAsync();
        }
    }

    private async Task<Rig> StartAsync(string role, Dictionary<string, string?>? extra = null)
    {
        var sinks = await FakeAlertSinks.StartAsync(Ct);
        var host = await StartHostAsync(sinks, extra);
        return new Rig(sinks, host, Client(host, role));
    }

    private Task<LocalHostInstance> StartHostAsync(FakeAlertSinks sinks, Dictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage__TablePrefix"] = "ar" + Guid.NewGuid().ToString("N")[..8],
            ["AlertRelay__PagerDutyEventsUrl"] = sinks.PagerDutyUrl,
            ["AlertRelay__PagerDutyRoutingKey"] = RoutingKey,
            ["AlertRelay__SlackWebhookUrl"] = sinks.SlackUrl,
            ["AlertRelay__DashboardUrl"] = DashboardUrl,
            ["AlertRelay__RunbookBaseUrl"] = RunbookBase,
            ["AlertRelay__MaxRetries"] = "2",
            ["AlertRelay__RetryBaseDelaySeconds"] = "0.01",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return fixture.StartSecondHostAsync(settings);
    }

    private static HttpClient Client(LocalHostInstance host, string role)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(HostFixture.NewUserId("ag"), null, [role]));
        return client;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string json) =>
        client.PostAsync("/api/alerts/relay", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    private static string PayloadPath(string name) => Path.Combine(AppContext.BaseDirectory, "Observability", "Payloads", name);

    /// <summary>Microsoft's sample with our rule name, condition and measured value: nothing else changed.</summary>
    private static string Payload(string name, string rule, string condition, double metricValue)
    {
        var root = JsonNode.Parse(File.ReadAllText(PayloadPath(name)))!;
        var essentials = root["data"]!["essentials"]!;
        essentials["alertRule"] = rule;
        essentials["monitorCondition"] = condition;
        root["data"]!["alertContext"]!["condition"]!["allOf"]![0]!["metricValue"] = metricValue;
        return root.ToJsonString();
    }

    private static string SlackText(JsonElement message) =>
        string.Join("\n", message.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("text").GetProperty("text").GetString()));
}
