using System.Net;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.TestFunctions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>
/// The daily purge on a host whose clock the test moves: instances are created on the provider's real
/// clock, then the host's clock is set to exactly the retention after the boundary between "old" and
/// "new" instances, and the timer is run through the local host's admin endpoint.
/// </summary>
public sealed class OrchestrationPurgeTests(HostFixture fixture)
{
    [Fact]
    public async Task Purge_RetentionElapsed_RemovesExactlyTheOldFinishedInstances()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // Tables of its own: moving this host's clock 30 days fires its other timers too (the rate-limit
        // cleanup would drop the shared prefix's current counters).
        var settings = HostFixture.BaseSettings(fixture.Azurite.ConnectionString, "purge" + Guid.NewGuid().ToString("N")[..8]);
        settings["Orchestrations__RetentionDays"] = "30";
        await using var host = await LocalHostInstance.StartAsync(settings, services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)), ct);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();

        var completed = await durable.ScheduleNewOrchestrationInstanceAsync("TestFanOut", new FanOutInput(2), ct);
        var failed = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.Fail, cancellation: ct);
        var terminated = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.WaitForEvent, cancellation: ct);
        var running = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.WaitForEvent, cancellation: ct);
        await durable.WaitForInstanceStartAsync(terminated, ct);
        await durable.TerminateInstanceAsync(terminated, cancellation: ct);
        await durable.WaitForInstanceStartAsync(running, ct);
        var old = new[] { completed, failed, terminated };
        foreach (var id in old)
        {
            await durable.WaitForInstanceCompletionAsync(id, ct);
        }

        // The boundary: after every old instance was created, before the new one is.
        var boundary = (await Task.WhenAll(old.Append(running).Select(id => durable.GetInstanceAsync(id, ct)))).Max(i => i!.CreatedAt).AddMilliseconds(1);
        await Eventually.HoldsAsync(() => Task.FromResult(DateTimeOffset.UtcNow > boundary.AddMilliseconds(50)), TimeSpan.FromSeconds(5), "the clock passes the boundary");
        var fresh = await durable.ScheduleNewOrchestrationInstanceAsync("TestFanOut", new FanOutInput(1), ct);
        await durable.WaitForInstanceCompletionAsync(fresh, ct);
        Assert.True((await durable.GetInstanceAsync(fresh, ct))!.CreatedAt > boundary);
        clock.SetUtcNow(boundary.AddDays(30));

        using var client = host.CreateClient();
        using var response = await client.PostAsync($"/admin/functions/{OrchestrationPurgeFunction.Name}", null, ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        foreach (var id in old)
        {
            Assert.Null(await durable.GetInstanceAsync(id, ct));
        }

        Assert.Equal(OrchestrationRuntimeStatus.Running, (await durable.GetInstanceAsync(running, ct))!.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await durable.GetInstanceAsync(fresh, ct))!.RuntimeStatus);
    }
}
