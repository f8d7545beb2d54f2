using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.TestFunctions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>
/// The local tuning makes dequeued work-item messages reappear quickly (so a crash recovers fast); an
/// activity running longer than that must still run once, because the local host renews its lock. Two
/// hosts share the hub: a message that reappeared would be taken by the other one (within one process the
/// provider drops a message it is already running).
/// </summary>
public sealed class ActivityLockTests(HostFixture fixture)
{
    [Fact]
    public async Task Activity_LongerThanVisibilityTimeoutWithTwoHosts_RunsOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = HostFixture.BaseSettings(fixture.Azurite.ConnectionString, fixture.TablePrefix);
        settings["AzureFunctionsJobHost__extensions__durableTask__storageProvider__workItemQueueVisibilityTimeout"] = "00:00:02";
        settings[LocalHostInstance.HubSetting] = LocalHostInstance.NewHubName();
        await using var host = await LocalHostInstance.StartAsync(settings, ct);
        await using var other = await LocalHostInstance.StartAsync(settings, ct);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var key = Guid.NewGuid().ToString("N");

        var id = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.Slow, new SlowInput(key, 7), ct);
        var done = await durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, ct);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(1, OrchestrationTestFunctions.SlowRuns[key]);
    }
}
