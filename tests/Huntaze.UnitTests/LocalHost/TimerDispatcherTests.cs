using Huntaze.Functions.Platform.Hosting;
using Huntaze.LocalHost.Timers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huntaze.UnitTests.LocalHost;

public sealed class TimerDispatcherTests
{
    [Fact]
    public async Task Dispose_TimerRunInFlight_RunCompletesWithoutError()
    {
        var ct = TestContext.Current.CancellationToken;
        var catalog = new FunctionCatalog([typeof(BlockingTimer).Assembly]);
        await using var services = new ServiceCollection().BuildServiceProvider();
        var dispatcher = new TimerDispatcher(catalog, services, new ConfigurationBuilder().Build(), TimeProvider.System, NullLogger<TimerDispatcher>.Instance);
        BlockingTimer.Reset();

        var run = dispatcher.TriggerAsync(BlockingTimer.Name, ct);
        await BlockingTimer.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        dispatcher.Dispose(); // the host stopping while the run is in flight (an admin trigger is not awaited by the stop)
        BlockingTimer.Release.TrySetResult();

        Assert.True(await run.WaitAsync(TimeSpan.FromSeconds(30), ct));
        Assert.Equal(1, BlockingTimer.Completed);
    }
}

/// <summary>A timer that runs until the test releases it.</summary>
public static class BlockingTimer
{
    public const string Name = "UnitBlockingTimer";

    private static int _completed;

    public static TaskCompletionSource Started { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static int Completed => Volatile.Read(ref _completed);

    public static void Reset()
    {
        Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _completed, 0);
    }

    [Function(Name)]
    public static async Task RunAsync([TimerTrigger("0 0 0 1 1 *")] TimerInfo timer)
    {
        Started.TrySetResult();
        await Release.Task;
        Interlocked.Increment(ref _completed);
    }
}
