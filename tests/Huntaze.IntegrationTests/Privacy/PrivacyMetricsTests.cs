using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Observability;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary><c>huntaze.privacy.*</c> as the host records them, and a verification that finds what could not be erased.</summary>
public sealed class PrivacyMetricsTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_OpenedResolvedAndListed_CountedByTypeAndSampledAsGauges()
    {
        using var metrics = new PrivacyInstruments();
        var api = new PrivacyApi(fixture.Host);
        using var user = api.User(HostFixture.NewUserId("met"));
        var id = await PrivacyApi.OpenAsync(user, new { type = "rectification", claim = "Counted." });
        await api.WaitStatusAsync(id, "awaiting_dpo");
        using var dpo = api.Dpo();

        using (var queue = await dpo.GetAsync("/api/admin/dsr?status=open", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        }

        metrics.Listener.RecordObservableInstruments();
        using (await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/resolve", new { outcome = "rejected", note = "Data is accurate." }))
        {
        }

        Assert.Contains(metrics.Recorded, m => m.Name == "huntaze.privacy.requests_opened" && m.Tags["type"] == "rectification" && m.Tags["channel"] == "user");
        Assert.Contains(metrics.Recorded, m => m.Name == "huntaze.privacy.requests_closed" && m.Tags["type"] == "rectification" && m.Tags["status"] == "completed" && m.Tags["within_deadline"] == "true");
        Assert.Contains(metrics.Recorded, m => m.Name == "huntaze.privacy.requests_open" && m.Value >= 1);
        Assert.Contains(metrics.Recorded, m => m.Name == "huntaze.privacy.oldest_open_request_age_seconds" && m.Value > 0);
        Assert.Contains(metrics.Recorded, m => m.Name == "huntaze.privacy.requests_overdue");
    }

    /// <summary>
    /// A request past its due date: the DPO queue's <c>overdue</c> view lists it (and not one still in time),
    /// and the sampler timer alone, with nobody listing the queue, brings the gauges up to date.
    /// </summary>
    [Fact]
    public async Task Queue_RequestPastItsDueDate_ListedAsOverdueAndSampledByTheTimer()
    {
        using var metrics = new PrivacyInstruments();
        var api = new PrivacyApi(fixture.Host);
        using var late = api.User(HostFixture.NewUserId("late"));
        using var onTime = api.User(HostFixture.NewUserId("ontime"));
        var lateId = await PrivacyApi.OpenAsync(late, new { type = "rectification", claim = "Late." });
        var onTimeId = await PrivacyApi.OpenAsync(onTime, new { type = "rectification", claim = "On time." });
        await api.WaitStatusAsync(lateId, "awaiting_dpo");
        var storage = fixture.Services.GetRequiredService<StorageClients>();
        var requests = await storage.GetTableAsync(PrivacyStores.Requests, Ct);
        var row = (await requests.GetEntityAsync<TableEntity>(RequestIds.SubjectRefOf(lateId), lateId, cancellationToken: Ct)).Value;
        row["DueAt"] = DateTimeOffset.UtcNow.AddDays(-1);
        await requests.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, Ct);

        using (var sample = await fixture.Host.CreateClient().PostAsync($"/admin/functions/{OpenRequestsSampler.Name}", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, sample.StatusCode);
        }

        metrics.Listener.RecordObservableInstruments();
        Assert.Contains(metrics.Recorded, m => m.Name == "huntaze.privacy.requests_overdue" && m.Value >= 1);
        Assert.Contains(metrics.Recorded, m => m.Name == "huntaze.privacy.oldest_open_request_age_seconds" && m.Value > 0);

        using var dpo = api.Dpo();
        using (var overdue = await dpo.GetAsync("/api/admin/dsr?status=overdue", Ct))
        {
            var ids = (await PrivacyApi.JsonAsync(overdue)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
            Assert.Contains(lateId, ids);
            Assert.DoesNotContain(onTimeId, ids);
        }

        using (var mine = await late.GetAsync($"/api/privacy/requests/{lateId}", Ct))
        {
            Assert.True((await PrivacyApi.JsonAsync(mine)).GetProperty("overdue").GetBoolean());
        }

        foreach (var id in new[] { lateId, onTimeId })
        {
            using var resolved = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/resolve", new { outcome = "rejected", note = "Test over." });
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        }
    }

    /// <summary>
    /// A flag document the flag store cannot read names the user: no handler can rewrite it, so the
    /// verification scan finds it, the request records it, and the failure metric rises.
    /// </summary>
    [Fact]
    public async Task Erasure_DataNoHandlerCanErase_VerificationFailsAndIsCounted()
    {
        using var metrics = new PrivacyInstruments();
        var user = HostFixture.NewUserId("stuck");
        await fixture.Host.WaitUntilOnboardingEnabledAsync();
        var api = new PrivacyApi(fixture.Host);
        using (var onboarding = new OnboardingApi(api.User(user)))
        using (var write = await onboarding.PatchAsync("creator_assessment", new { status = "in_progress" }, "\"step-0\""))
        {
            Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        }

        var flags = await fixture.Services.GetRequiredService<StorageClients>().GetTableAsync("flags", Ct);
        await flags.AddEntityAsync(new TableEntity("flag", "Broken" + Guid.NewGuid().ToString("N")[..8]) { ["Document"] = "{\"id\": \"Broken\", \"users\": [\"" + user + "\"", ["Tags"] = "{}" }, Ct);
        using var dpo = api.Dpo();

        using var opened = await PrivacyApi.PostJsonAsync(dpo, "/api/admin/dsr/delete", new { userId = user, confirm = true, reason = "Closed account" });
        var done = await api.WaitClosedAsync((await PrivacyApi.JsonAsync(opened)).GetProperty("id").GetString()!);

        var verification = done.GetProperty("result").GetProperty("verification");
        Assert.False(verification.GetProperty("passed").GetBoolean());
        Assert.Contains(verification.GetProperty("found").EnumerateArray(), s => s.GetProperty("store").GetString() == "flags" && s.GetProperty("count").GetInt32() == 1);
        Assert.Contains(metrics.Recorded, m => m.Name == "huntaze.privacy.erasure_verification_failures" && m.Value == 1);
    }

    private sealed class PrivacyInstruments : IDisposable
    {
        public PrivacyInstruments()
        {
            Listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == HuntazeDiagnostics.Name && instrument.Name.StartsWith("huntaze.privacy.", StringComparison.Ordinal))
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            Listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
            Listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
            Listener.Start();
        }

        public MeterListener Listener { get; }

        public ConcurrentBag<(string Name, double Value, Dictionary<string, string?> Tags)> Recorded { get; } = [];

        public void Dispose() => Listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value?.ToString();
            }

            Recorded.Add((instrument.Name, value, map));
        }
    }
}
