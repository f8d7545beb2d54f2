using System.Net;
using System.Text.Json;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Huntaze.IntegrationTests.Platform;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// Data-subject requests outlive the host: a local host process is killed (SIGKILL) while one request waits
/// for the DPO inside its orchestration and an erasure has just been accepted; a new process over the same
/// Azurite and task hub finishes both. The orchestrations' state is in the task hub (Azure Storage
/// provider), not in the process.
/// </summary>
public sealed class DsrRestartTests(RestartFixture fixture) : IClassFixture<RestartFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_HostKilledMidway_CompleteAfterRestart()
    {
        var settings = HostFixture.BaseSettings(fixture.Azurite.ConnectionString, "dr" + Guid.NewGuid().ToString("N")[..8]);
        settings[LocalHostInstance.HubSetting] = LocalHostInstance.NewHubName();
        var (claimant, eraser) = (HostFixture.NewUserId("rc"), HostFixture.NewUserId("er"));

        string rectification;
        string erasure;
        DateTimeOffset killedAt;
        await using (var first = await LocalHostProcess.StartAsync(settings, Ct))
        {
            var api = new PrivacyApi(first);
            using (var claimantClient = api.User(claimant))
            {
                rectification = await PrivacyApi.OpenAsync(claimantClient, new { type = "rectification", claim = "My legal name is misspelt." });
            }

            // Inside the orchestration: it has run its first activities and now waits for the DPO's event.
            await api.WaitStatusAsync(rectification, "awaiting_dpo");

            using var onboarding = new OnboardingApi(api.User(eraser));
            await Eventually.HoldsAsync(async () =>
            {
                using var write = await onboarding.PatchAsync("creator_assessment", new { status = "in_progress", data = new { legalName = "Rue de la Paix 2 " + eraser } }, "\"step-0\"");
                return write.StatusCode == HttpStatusCode.OK; // 503 until the seeded onboarding flag is read
            }, TimeSpan.FromSeconds(60), "the onboarding write is accepted", TimeSpan.FromMilliseconds(200));
            erasure = await PrivacyApi.OpenAsync(onboarding.Client, new { type = "erasure" });

            killedAt = DateTimeOffset.UtcNow;
            await first.KillAsync();
        }

        await using var second = await LocalHostProcess.StartAsync(settings, Ct);
        var again = new PrivacyApi(second);
        using var dpo = again.Dpo();

        var erased = await again.WaitClosedAsync(erasure, TimeSpan.FromSeconds(120));
        Assert.Equal("completed", erased.GetProperty("status").GetString());
        Assert.True(erased.GetProperty("closedAt").GetDateTimeOffset() > killedAt, $"the erasure closed before the kill: {erased}");
        Assert.True(erased.GetProperty("result").GetProperty("verification").GetProperty("passed").GetBoolean(), erased.ToString());
        using (var preview = await dpo.GetAsync($"/api/admin/dsr/delete/preview?userId={eraser}", Ct))
        {
            var body = await PrivacyApi.JsonAsync(preview);
            Assert.True(preview.StatusCode == HttpStatusCode.OK && body.GetProperty("total").GetInt32() == 0, body.ToString());
        }

        Assert.Equal("running", await OrchestrationStatusAsync(again, rectification));
        using (var resolved = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{rectification}/resolve", new { outcome = "rectified", note = "Name corrected." }))
        {
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        }

        // The event reaches the instance the first process started: it completes instead of waiting forever.
        await Eventually.HoldsAsync(
            async () => await OrchestrationStatusAsync(again, rectification) == "completed",
            TimeSpan.FromSeconds(120), "the rectification orchestration completes", TimeSpan.FromMilliseconds(200));
    }

    private static async Task<string?> OrchestrationStatusAsync(PrivacyApi api, string requestId)
    {
        using var admin = api.Admin();
        using var response = await admin.GetAsync($"/api/admin/orchestrations/{RequestIds.InstanceId(requestId)}", Ct);
        var body = await PrivacyApi.JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ValueKind == JsonValueKind.Undefined ? response.StatusCode.ToString() : body.ToString());
        return body.GetProperty("status").GetString();
    }
}
