using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Retention;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.TestFunctions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// The task hub's history (inputs, outputs) is covered by the privacy retention rule the data map declares for it.
/// The host has its own tables and task hub (exact lists). Its clock is not moved: that would fire its timers,
/// the platform's daily purge first, which removes the old instances before the privacy plan is read. Instead the
/// privacy retention service is built from the host's own services with a clock of its own, set the period after
/// the boundary between old and new instances, and its plan and run are checked against the provider.
/// </summary>
public sealed class TaskHubRetentionTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Retention_TaskHubInstancesOnBothSidesOfThePeriod_PlanListsExactlyTheOldFinishedOnesAndTheRunPurgesOnlyThose()
    {
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?> { ["Storage__TablePrefix"] = "reth" + Guid.NewGuid().ToString("N")[..8] });
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var api = new PrivacyApi(host);
        using var user = api.User(HostFixture.NewUserId("hubret"));

        // Old: a data-subject request's workflow (its history holds the request id), a failed and a terminated instance.
        var oldRequest = await PrivacyApi.OpenAsync(user, new { type = "access" });
        Assert.Equal("completed", (await api.WaitClosedAsync(oldRequest)).GetProperty("status").GetString());
        var failed = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.Fail, cancellation: Ct);
        var terminated = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.WaitForEvent, cancellation: Ct);
        var running = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.WaitForEvent, cancellation: Ct);
        await durable.WaitForInstanceStartAsync(terminated, Ct);
        await durable.TerminateInstanceAsync(terminated, cancellation: Ct);
        await durable.WaitForInstanceStartAsync(running, Ct);
        var old = new[] { "dsr-" + oldRequest, failed, terminated };
        foreach (var id in old)
        {
            await durable.WaitForInstanceCompletionAsync(id, Ct);
        }

        // The boundary: after every old instance (and the running one) was created, before the new one is.
        var boundary = (await Task.WhenAll(old.Append(running).Select(id => durable.GetInstanceAsync(id, Ct)))).Max(i => i!.CreatedAt).AddMilliseconds(1);
        await Eventually.HoldsAsync(() => Task.FromResult(DateTimeOffset.UtcNow > boundary.AddMilliseconds(50)), TimeSpan.FromSeconds(5), "the clock passes the boundary");
        var newRequest = await PrivacyApi.OpenAsync(user, new { type = "portability" });
        Assert.Equal("completed", (await api.WaitClosedAsync(newRequest)).GetProperty("status").GetString());
        var fresh = "dsr-" + newRequest;
        Assert.True((await durable.GetInstanceAsync(fresh, Ct))!.CreatedAt > boundary);

        // The rule the registry declares for the task hub, applied by privacy retention at boundary + its period.
        var rule = host.Services.GetRequiredService<DataMap>().Get(HuntazeDataMap.TaskHub).Retention;
        Assert.Equal("Orchestrations:RetentionDays", rule.Setting);
        var clock = new FakeTimeProvider(boundary + rule.Period!.Value);
        var retention = ActivatorUtilities.CreateInstance<RetentionService>(host.Services, clock, ActivatorUtilities.CreateInstance<OrchestrationPurge>(host.Services, clock));

        var plan = Hub(await retention.PlanAsync(durable, Ct));
        var planAgain = Hub(await retention.PlanAsync(durable, Ct));
        var run = Hub(await retention.RunAsync(durable, Ct));

        Assert.Equal(boundary, plan.Cutoff);
        Assert.Equal(old.Order(StringComparer.Ordinal), plan.Items.Order(StringComparer.Ordinal));
        Assert.Equal(plan.Items.Order(StringComparer.Ordinal), planAgain.Items.Order(StringComparer.Ordinal)); // planning purged nothing
        Assert.Equal(plan.Items.Order(StringComparer.Ordinal), run.Items.Order(StringComparer.Ordinal));
        foreach (var id in old)
        {
            Assert.Null(await durable.GetInstanceAsync(id, Ct));
        }

        Assert.Equal(OrchestrationRuntimeStatus.Running, (await durable.GetInstanceAsync(running, Ct))!.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await durable.GetInstanceAsync(fresh, Ct))!.RuntimeStatus);
        Assert.Empty(Hub(await retention.PlanAsync(durable, Ct)).Items);
        await durable.TerminateInstanceAsync(running, cancellation: Ct);
    }

    private static RetentionStorePlan Hub(RetentionPlan plan) => Assert.Single(plan.Stores, s => s.Store == HuntazeDataMap.TaskHub);
}
