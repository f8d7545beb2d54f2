using Azure.Storage.Queues;
using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.History;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.TestFunctions;
using Huntaze.LocalHost.Durable;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>
/// Task ids restart at 0 in each generation of an orchestration that continues as new. A completion addressed
/// to an earlier generation (an activity run again after a kill -9 between sending its result and deleting its
/// message, or a control-queue message seen again) reaches the control queue with that generation's execution
/// id; it must not complete the current generation's task 0. Produced here on demand: the earlier generation's
/// completion is sent through the real provider, as its redelivery would send it.
/// </summary>
public sealed class ContinueAsNewTests(HostFixture fixture)
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Orchestration_CompletionForAnEarlierGeneration_IsNotTakenByTheCurrentOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = HostFixture.BaseSettings(fixture.Azurite.ConnectionString, fixture.TablePrefix);
        settings[LocalHostInstance.HubSetting] = LocalHostInstance.NewHubName();
        await using var host = await LocalHostInstance.StartAsync(settings, ct);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var hub = host.Services.GetRequiredService<IOptions<TaskHubOptions>>().Value;
        using var provider = new AzureStorageOrchestrationService(AzureStorageSidecar.CreateSettings(hub, fixture.Azurite.ConnectionString, NullLoggerFactory.Instance));
        var controlQueue = new QueueClient(fixture.Azurite.ConnectionString, $"{hub.HubName.ToLowerInvariant()}-control-00");
        var key = Guid.NewGuid().ToString("N");

        var id = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.Generations, new GenerationInput(key, 0), ct);
        await OrchestrationTestFunctions.GenerationGate(key, 0).Started.Task.WaitAsync(Generous, ct);
        var generation0 = await ExecutionIdAsync(provider, id);
        OrchestrationTestFunctions.GenerationGate(key, 0).Release.TrySetResult();
        await OrchestrationTestFunctions.GenerationGate(key, 1).Started.Task.WaitAsync(Generous, ct);
        await Eventually.HoldsAsync(async () => await ExecutionIdAsync(provider, id) != generation0, Generous, "generation 1 is recorded");

        // Generation 0's task 0 completes again while generation 1's task 0 is running.
        await provider.SendTaskOrchestrationMessageAsync(new TaskMessage
        {
            Event = new TaskCompletedEvent(-1, 0, "\"generation 0, delivered again\""),
            OrchestrationInstance = new OrchestrationInstance { InstanceId = id, ExecutionId = generation0 },
        });
        await Eventually.HoldsAsync(
            async () => (await controlQueue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount == 0, Generous, "the control queue is consumed");
        OrchestrationTestFunctions.GenerationGate(key, 1).Release.TrySetResult();
        var done = await durable.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, ct);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("generation 1", done.ReadOutputAs<string>());
    }

    private static async Task<string> ExecutionIdAsync(AzureStorageOrchestrationService provider, string instanceId) =>
        (await provider.GetOrchestrationStateAsync(instanceId, executionId: null)).OrchestrationInstance.ExecutionId;
}
