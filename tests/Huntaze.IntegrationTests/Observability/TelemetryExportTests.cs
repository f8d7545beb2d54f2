using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Huntaze.Functions.Observability;
using Huntaze.Functions.Observability.Slo;
using Huntaze.IntegrationTests.Infrastructure;
using OpenTelemetry.Metrics;

namespace Huntaze.IntegrationTests.Observability;

/// <summary>What leaves the app through OpenTelemetry, seen by in-memory exporters for real requests through the local host.</summary>
[Collection(TelemetryTestGroup.Name)]
public sealed class TelemetryExportTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpRequest_ThroughLocalHost_ServerSpanCarriesCorrelationIdAndPseudonymousUserIdOnly()
    {
        await using var capture = await TelemetryCapture.StartAsync(fixture);
        var userId = HostFixture.NewUserId("tel");
        var correlationId = "tel-" + Guid.NewGuid().ToString("N");
        using var client = ClientFor(capture, userId, "user");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/onboarding?email=creator%40example.com");
        request.Headers.Add("X-Correlation-ID", correlationId);
        request.Headers.UserAgent.ParseAdd("TelemetryTest/1.0");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var span = await WaitForSpanAsync(capture, s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem(TelemetryAttributes.CorrelationId), correlationId));
        Assert.Equal("api/onboarding", span.GetTagItem("http.route"));
        Assert.Equal(userId, span.GetTagItem(TelemetryAttributes.PseudonymousUserId));
        Assert.Equal(200, Convert.ToInt32(span.GetTagItem("http.response.status_code"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(span.TagObjects, t => PersonalDataRedactor.Removed.Contains(t.Key));
        Assert.DoesNotContain(span.TagObjects, t => (t.Value?.ToString() ?? "").Contains("example.com", StringComparison.Ordinal)
                                                    || (t.Value?.ToString() ?? "").Contains("TelemetryTest", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpRequest_ThroughLocalHost_DurationHistogramHasRouteStatusAndLatencyClass()
    {
        await using var capture = await TelemetryCapture.StartAsync(fixture);
        using var client = ClientFor(capture, HostFixture.NewUserId("tel"), "user");

        using var response = await client.GetAsync("/api/onboarding/steps/no-such-step", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var points = Points(capture.CollectMetrics(), RequestTelemetry.DurationInstrument);
        var point = Assert.Single(points, p => Equals(p.Tags["http.route"], "onboarding/steps/{stepId}") && Equals(p.Tags["http.request.method"], "GET"));
        Assert.Equal(404, Convert.ToInt32(point.Tags["http.response.status_code"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches("^(le_300ms|le_500ms|over_500ms)$", (string)point.Tags[SloDocument.Current.LatencyClasses.Attribute]!);
        Assert.Equal(1, point.Count);
    }

    [Fact]
    public async Task SloInstruments_FlagChangeAndKillSwitchFlip_EveryActiveInstrumentEmittedAndNoPendingOne()
    {
        await using var capture = await TelemetryCapture.StartAsync(fixture);
        using var admin = ClientFor(capture, HostFixture.NewUserId("ops"), "admin");
        using (var request = await admin.GetAsync("/api/onboarding/gates/x", Ct))
        {
            // Any status: the request histogram is what the HTTP SLOs need.
        }

        foreach (var on in new[] { true, false })
        {
            using var flip = await admin.PostAsJsonAsync("/api/admin/kill-switch", new { active = on, reason = "telemetry test" }, Ct);
            Assert.Equal(HttpStatusCode.OK, flip.StatusCode);
        }

        // A data-subject request opened and closed (privacy-requests-on-time, dsr-overdue).
        var privacy = new Privacy.PrivacyApi(capture.Host);
        using (var subject = privacy.User(HostFixture.NewUserId("tel")))
        {
            var request = await Privacy.PrivacyApi.OpenAsync(subject, new { type = "objection", purpose = "analytics" });
            await privacy.WaitClosedAsync(request);
        }

        // A backup run, verified, then a restore drill (backup-verified, backup-failed).
        await BackupAndDrillAsync(capture.Host, admin);

        var document = SloDocument.Current;
        var active = document.Instruments().Where(i => !i.Pending).Select(i => i.Instrument).ToHashSet();
        var pending = document.Instruments().Where(i => i.Pending).Select(i => i.Instrument).ToHashSet();
        HashSet<string> emitted = [];
        try
        {
            await Eventually.HoldsAsync(() =>
            {
                emitted = capture.CollectMetrics().Where(m => m.MetricPoints.Count > 0).Select(m => m.Name).ToHashSet();
                return Task.FromResult(active.IsSubsetOf(emitted));
            }, TimeSpan.FromSeconds(30), "every instrument of an active SLO or alert is emitted (the flag sync runs every 2 s)");
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Reported below with the names of the instruments nothing emitted.
        }

        Assert.Empty(SloInstrumentCheck.Missing(document, emitted));
        Assert.True(
            !pending.Overlaps(emitted),
            $"Pending SLO instruments are emitted now ({string.Join(", ", pending.Intersect(emitted))}): mark their SLOs and alerts active in observability/slo.json.");
        var flips = Points(capture.CollectMetrics(), "huntaze.flags.kill_switch.flips");
        Assert.Contains(flips, p => Equals(p.Tags["active"], true));
        Assert.Contains(flips, p => Equals(p.Tags["active"], false));
    }

    /// <summary>Runs a backup through the admin API, waits for it, then starts the drill and waits for its record.</summary>
    private static async Task BackupAndDrillAsync(LocalHostInstance host, HttpClient admin)
    {
        using var started = await admin.PostAsync("/api/admin/backups/run", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var url = (await started.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Ct)).GetProperty("statusUrl").GetString()!;
        await Eventually.HoldsAsync(
            async () => (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>(url, Ct)).GetProperty("state").GetString() == "completed",
            TimeSpan.FromMinutes(3), "the backup run did not complete", TimeSpan.FromMilliseconds(200));
        using var drill = await host.CreateClient().PostAsync("/admin/functions/BackupDrill", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, drill.StatusCode);
        await Eventually.HoldsAsync(
            async () => (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/admin/backups", Ct)).TryGetProperty("lastDrill", out var last)
                && last.ValueKind == System.Text.Json.JsonValueKind.Object,
            TimeSpan.FromMinutes(3), "no drill was recorded", TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Orchestration_StartedOverHttp_OrchestrationAndActivitySpansShareTheRequestTrace()
    {
        await using var capture = await TelemetryCapture.StartAsync(fixture);
        using var client = capture.Host.CreateClient();
        var correlationId = "tel-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/test/fan/3");
        request.Headers.Add("X-Correlation-ID", correlationId);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = await WaitForSpanAsync(capture, s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem(TelemetryAttributes.CorrelationId), correlationId));
        await Eventually.HoldsAsync(
            () => Task.FromResult(capture.Spans.Count(s => s.TraceId == server.TraceId && s.OperationName.StartsWith("activity:TestSquare", StringComparison.Ordinal)) >= 3),
            TimeSpan.FromSeconds(30),
            "the three activity executions are exported under the request's trace");
        var durable = capture.Spans.Where(s => s.TraceId == server.TraceId && s.Source.Name == "Microsoft.DurableTask").Select(s => s.OperationName).ToList();
        Assert.Contains(durable, n => n.StartsWith("create_orchestration:TestFanOut", StringComparison.Ordinal));
        Assert.Contains(durable, n => n.StartsWith("orchestration:TestFanOut", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BackgroundPolls_OutsideAnyRequest_NoRootClientSpansButRequestStorageCallsTraced()
    {
        await using var capture = await TelemetryCapture.StartAsync(fixture);
        using var client = ClientFor(capture, HostFixture.NewUserId("tel"), "user");
        var correlationId = "tel-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/onboarding");
        request.Headers.Add("X-Correlation-ID", correlationId);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = await WaitForSpanAsync(capture, s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem(TelemetryAttributes.CorrelationId), correlationId));
        // The flag snapshot poll (every second since start) made storage calls outside any request: none exported.
        Assert.DoesNotContain(capture.Spans, s => s.Kind == ActivityKind.Client && s.ParentSpanId == default);
        Assert.Contains(capture.Spans, s => s.Kind == ActivityKind.Client && s.TraceId == server.TraceId);
    }

    [Fact]
    public async Task MetricsEndpoint_AfterRequests_ShowsHuntazeSeriesInPrometheusFormat()
    {
        using var client = fixture.CreateClient();
        using (await client.GetAsync("/api/health", Ct))
        {
        }

        // The scrape endpoint belongs to the local host, not the API: no API response headers to check.
        using var scraper = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        using var response = await scraper.GetAsync("/metrics", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("huntaze_http_server_request_duration_seconds_bucket{", body, StringComparison.Ordinal);
        Assert.Contains("http_route=\"health\"", body, StringComparison.Ordinal);
        Assert.Contains("huntaze_flags_snapshot_age_seconds", body, StringComparison.Ordinal);
    }

    private static HttpClient ClientFor(TelemetryCapture capture, string userId, string role)
    {
        var client = capture.Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(userId, "FR", [role]));
        return client;
    }

    private static async Task<Activity> WaitForSpanAsync(TelemetryCapture capture, Func<Activity, bool> match)
    {
        Activity? found = null;
        await Eventually.HoldsAsync(() => Task.FromResult((found = capture.Spans.FirstOrDefault(match)) is not null), TimeSpan.FromSeconds(15), "the span is exported");
        return found!;
    }

    private sealed record Point(IReadOnlyDictionary<string, object?> Tags, long Count);

    /// <summary>The latest cumulative point of each tag set of one instrument.</summary>
    private static List<Point> Points(IReadOnlyList<MetricSnapshot> metrics, string name)
    {
        var latest = new Dictionary<string, Point>();
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (var point in metric.MetricPoints)
            {
                var tags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                var count = metric.MetricType switch
                {
                    MetricType.Histogram => point.GetHistogramCount(),
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                    _ => 1,
                };
                latest[string.Join(";", tags.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"))] = new Point(tags, count);
            }
        }

        return [.. latest.Values];
    }
}
