using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>
/// An Azurite of these tests' own, outliving the local host processes stopped and restarted over it.
/// </summary>
public sealed class RestartFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync() => _azurite = await HostFixture.StartAzuriteAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

/// <summary>
/// A real orchestration (the step-version migration, paged small so it runs for a few seconds) started over
/// HTTP on a local host process; the process is stopped mid-way, by Ctrl+C or kill -9, and started again
/// over the same Azurite and task hub: the same instance resumes and completes with every user migrated,
/// and its status URL answers as soon as the host is back.
/// </summary>
public abstract class OrchestrationRestartTests(RestartFixture fixture)
{
    private const int Users = 200;
    private const string Step = "ai_assistant_setup";

    /// <summary>
    /// The in-process host seeding and checking the users (its own task hub) starts beside the first host
    /// process; both restart tests run in parallel (one class each), so their waits overlap.
    /// </summary>
    /// <param name="pagesPerGeneration">Pages before the migration continues as new (one page is 10 users).</param>
    protected async Task RunAcrossRestartAsync(Func<LocalHostProcess, Task<bool>> stop, int pagesPerGeneration = 100)
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = HostFixture.BaseSettings(fixture.Azurite.ConnectionString, "rs" + Guid.NewGuid().ToString("N")[..8]);
        settings[LocalHostInstance.HubSetting] = LocalHostInstance.NewHubName();
        settings["Onboarding__MigrationUsersPerActivity"] = "10";
        settings["Onboarding__MigrationPagesPerGeneration"] = pagesPerGeneration.ToString(CultureInfo.InvariantCulture);
        var starting = LocalHostProcess.StartAsync(settings, ct);
        await using var seeder = await LocalHostInstance.StartAsync(WithoutHub(settings), ct);
        var store = seeder.Services.GetRequiredService<IProgressStore>();
        var userIds = await SeedAsync(store, ct);

        HttpResponseMessage? status;
        string statusUrl;
        long scannedAtStop;
        await using (var first = await starting)
        {
            using var admin = AdminClient(first);
            using var start = await admin.PostAsJsonAsync("/api/admin/onboarding/migrations", new { stepId = Step, toVersion = 2, policy = "keep" }, ct);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            statusUrl = (await start.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("statusUrl").GetString()!;

            // Mid-way: some pages done, most not.
            JsonElement state = default;
            await Eventually.HoldsAsync(async () =>
            {
                state = await StatusAsync(admin, statusUrl, ct);
                return state.GetProperty("scanned").GetInt64() >= 20;
            }, TimeSpan.FromSeconds(180), "the migration makes progress", TimeSpan.FromMilliseconds(20));
            Assert.Equal("running", state.GetProperty("state").GetString());
            scannedAtStop = state.GetProperty("scanned").GetInt64();
            Assert.True(scannedAtStop < Users, $"the migration finished before the stop ({scannedAtStop} scanned)");

            Assert.True(await stop(first), $"the host did not exit within 30 s of Ctrl+C:{Environment.NewLine}{first.Output}");
        }

        await using var second = await LocalHostProcess.StartAsync(settings, ct);
        using var again = AdminClient(second);
        using (status = await again.GetAsync(statusUrl, ct))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        JsonElement final = default;
        await Eventually.HoldsAsync(async () =>
        {
            final = await StatusAsync(again, statusUrl, ct);
            return final.GetProperty("state").GetString() is "completed" or "failed" or "terminated";
        }, TimeSpan.FromSeconds(300), "the migration completes after the restart", TimeSpan.FromMilliseconds(100));

        Assert.True(final.GetProperty("state").GetString() == "completed" && final.GetProperty("scanned").GetInt64() == Users,
            $"stopped at {scannedAtStop} scanned; final status {final}");
        Assert.Equal(0, final.GetProperty("failed").GetInt64());
        // A page interrupted after its writes runs again and finds those users already migrated.
        Assert.Equal(Users, final.GetProperty("changed").GetInt64() + final.GetProperty("unchanged").GetInt64());
        await AssertAllMigratedAsync(store, userIds, ct);
    }

    private static HttpClient AdminClient(LocalHostProcess host)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(HostFixture.NewUserId("admin"), "US", ["admin"]));
        return client;
    }

    private static async Task<JsonElement> StatusAsync(HttpClient admin, string statusUrl, CancellationToken ct)
    {
        using var response = await admin.GetAsync(statusUrl, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Every user holds the step completed at version 1, written through the app's store.</summary>
    private static async Task<string[]> SeedAsync(IProgressStore store, CancellationToken ct)
    {
        var prefix = "rs-" + Guid.NewGuid().ToString("N")[..8];
        var userIds = Enumerable.Range(0, Users).Select(i => $"{prefix}-{i:D4}").ToArray();
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(userIds, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (id, token) =>
        {
            var step = StepProgress.Empty(Step) with { Status = StepStatus.Completed, Revision = 1, StepVersion = 1, CompletedAt = now, UpdatedAt = now };
            var result = await store.CommitAsync(ProgressSnapshot.Empty(id), new ProgressCommit(new Stored<StepProgress>(step, null), null), token);
            Assert.Equal(CommitStatus.Committed, result);
        });
        return userIds;
    }

    private static async Task AssertAllMigratedAsync(IProgressStore store, string[] userIds, CancellationToken ct)
    {
        var behind = new List<string>();
        foreach (var id in userIds)
        {
            if ((await store.ReadAsync(id, ct)).Steps.GetValueOrDefault(Step)?.Value.StepVersion != 2)
            {
                behind.Add(id);
            }
        }

        Assert.Empty(behind);
    }

    private static Dictionary<string, string?> WithoutHub(Dictionary<string, string?> settings) =>
        settings.Where(kv => kv.Key != LocalHostInstance.HubSetting).ToDictionary(kv => kv.Key, kv => kv.Value);
}

public sealed class GracefulRestartTests(RestartFixture fixture) : OrchestrationRestartTests(fixture), IClassFixture<RestartFixture>
{
    [Fact]
    public Task Migration_HostStoppedGracefullyMidway_ResumesAfterRestartAndCompletes() =>
        RunAcrossRestartAsync(host => host.StopGracefullyAsync());
}

public sealed class KillRestartTests(RestartFixture fixture) : OrchestrationRestartTests(fixture), IClassFixture<RestartFixture>
{
    [Fact]
    public Task Migration_HostKilledMidway_ResumesAfterRestartAndCompletes() =>
        RunAcrossRestartAsync(async host =>
        {
            await host.KillAsync();
            return true;
        });
}

/// <summary>
/// The kill -9 case with the migration continuing as new every 2 pages (10 generations for 200 users): a
/// message of an earlier generation that reappears after the kill must not be counted by a later one
/// (the totals once counted 550 users scanned for 300).
/// </summary>
public sealed class KillRestartAcrossGenerationsTests(RestartFixture fixture) : OrchestrationRestartTests(fixture), IClassFixture<RestartFixture>
{
    [Fact]
    public Task Migration_HostKilledWhileContinuingAsNew_CountsEachUserOnce() =>
        RunAcrossRestartAsync(
            async host =>
            {
                await host.KillAsync();
                return true;
            },
            pagesPerGeneration: 2);
}
