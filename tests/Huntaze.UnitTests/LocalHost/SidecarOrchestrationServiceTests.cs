using DurableTask.Core;
using DurableTask.Core.History;
using Huntaze.LocalHost.Durable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Huntaze.UnitTests.LocalHost;

/// <summary>
/// The sidecar matches an activity's result to the work item waiting under "instance id + task id", and task
/// ids restart at 0 after continue-as-new. A previous generation's activity handed out again (its message
/// reappearing after a kill -9 between sending its result and deleting its message) and the current
/// generation's activity with the same task id swapped results: a migration scanned 550 users for 300.
/// The provider is the boundary faked here: the redelivery is what cannot be produced on demand through the
/// real one (an orchestration waits for every outstanding activity before it continues as new).
/// </summary>
public sealed class SidecarOrchestrationServiceTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LockNextTaskActivityWorkItem_SameInstanceAndTaskIdRunning_HandsOutTheSecondOnlyAfterTheFirstCompletes()
    {
        var ct = TestContext.Current.CancellationToken;
        var previousGeneration = WorkItem("migration-1", "generation-0", taskId: 0);
        var currentGeneration = WorkItem("migration-1", "generation-5", taskId: 0);
        var otherInstance = WorkItem("migration-2", "generation-0", taskId: 0);
        var inner = new Mock<IOrchestrationService>();
        var never = new TaskCompletionSource<TaskActivityWorkItem>();
        inner.SetupSequence(s => s.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(previousGeneration)
            .ReturnsAsync(currentGeneration)
            .ReturnsAsync(otherInstance)
            .Returns(never.Task);
        var service = new SidecarOrchestrationService(inner.Object, TimeSpan.FromSeconds(5), new FakeTimeProvider(), NullLogger.Instance);

        Assert.Same(previousGeneration, await service.LockNextTaskActivityWorkItem(Timeout.InfiniteTimeSpan, ct).WaitAsync(Generous, ct));
        // The current generation's work item waits aside; the fetch loop goes on with other instances' work.
        Assert.Same(otherInstance, await service.LockNextTaskActivityWorkItem(Timeout.InfiniteTimeSpan, ct).WaitAsync(Generous, ct));
        var next = service.LockNextTaskActivityWorkItem(Timeout.InfiniteTimeSpan, ct);
        Assert.False(next.IsCompleted, "handed out while the previous generation's activity with the same task id still runs");

        await service.CompleteTaskActivityWorkItemAsync(previousGeneration, new TaskMessage());

        Assert.Same(currentGeneration, await next.WaitAsync(Generous, ct));
        service.Dispose();
    }

    [Fact]
    public async Task LockNextTaskActivityWorkItem_FirstAbandoned_HandsOutTheWaitingOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = WorkItem("migration-1", "generation-0", taskId: 3);
        var second = WorkItem("migration-1", "generation-1", taskId: 3);
        var inner = new Mock<IOrchestrationService>();
        var never = new TaskCompletionSource<TaskActivityWorkItem>();
        inner.SetupSequence(s => s.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(first)
            .ReturnsAsync(second)
            .Returns(never.Task);
        var service = new SidecarOrchestrationService(inner.Object, TimeSpan.FromSeconds(5), new FakeTimeProvider(), NullLogger.Instance);

        Assert.Same(first, await service.LockNextTaskActivityWorkItem(Timeout.InfiniteTimeSpan, ct).WaitAsync(Generous, ct));
        var next = service.LockNextTaskActivityWorkItem(Timeout.InfiniteTimeSpan, ct);
        Assert.False(next.IsCompleted);

        await service.AbandonTaskActivityWorkItemAsync(first);

        Assert.Same(second, await next.WaitAsync(Generous, ct));
        inner.Verify(s => s.AbandonTaskActivityWorkItemAsync(first), Times.Once);
        service.Dispose();
    }

    [Fact]
    public async Task StartAsync_DisposedWhileTheProviderStarts_EndsWithoutAStartFailure()
    {
        var logger = new Mock<ILogger>();
        logger.Setup(l => l.IsEnabled(It.IsAny<LogLevel>())).Returns(true);
        var inner = new Mock<IOrchestrationService>();
        SidecarOrchestrationService? service = null;
        // The host stops while storage is being asked: what the provider used is disposed under it.
        inner.Setup(s => s.CreateIfNotExistsAsync()).Returns(() =>
        {
            service!.Dispose();
            throw new ObjectDisposedException("LoggerFactory");
        });
        service = new SidecarOrchestrationService(inner.Object, TimeSpan.FromSeconds(5), new FakeTimeProvider(), logger.Object);

        await service.StartAsync().WaitAsync(Generous, TestContext.Current.CancellationToken);

        Assert.DoesNotContain(logger.Invocations, call => call.Method.Name == nameof(ILogger.Log));
        inner.Verify(s => s.StartAsync(), Times.Never);
    }

    private static TaskActivityWorkItem WorkItem(string instanceId, string executionId, int taskId) => new()
    {
        Id = $"{instanceId}/{executionId}/{taskId}",
        LockedUntilUtc = DateTime.UtcNow.AddSeconds(10),
        TaskMessage = new TaskMessage
        {
            Event = new TaskScheduledEvent(taskId, "MigratePage"),
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = executionId },
        },
    };
}
