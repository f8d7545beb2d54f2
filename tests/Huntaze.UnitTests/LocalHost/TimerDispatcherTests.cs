using System.Threading.Channels;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.LocalHost.Timers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

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

    [Fact]
    public async Task StartAsync_NextOccurrenceBeyondFiftyDays_WaitsAndRunsOnTime()
    {
        var ct = TestContext.Current.CancellationToken;
        var catalog = new FunctionCatalog([typeof(BlockingTimer).Assembly]);
        await using var services = new ServiceCollection().BuildServiceProvider();
        // 1 February: the yearly timer's next run (1 January) is 334 days away, past a timer's 49.7-day limit.
        var time = new WatchedClock(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var due = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var dispatcher = new TimerDispatcher(catalog, services, new ConfigurationBuilder().Build(), time, NullLogger<TimerDispatcher>.Instance);
        BlockingTimer.Reset();

        await dispatcher.StartAsync(ct);
        while (!BlockingTimer.Started.Task.IsCompleted)
        {
            // Each wait the dispatcher starts is run out exactly, so the run happens at the clock's due time.
            var wait = time.Waits.Reader.ReadAsync(ct).AsTask();
            var first = await Task.WhenAny(wait, BlockingTimer.Started.Task, dispatcher.ExecuteTask!).WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.False(first == dispatcher.ExecuteTask, $"the schedule loop ended: {dispatcher.ExecuteTask!.Exception?.InnerException?.Message}");
            if (first == wait)
            {
                Assert.True(time.GetUtcNow() < due, "the timer waited past its time");
                time.Advance(await wait);
            }
        }

        Assert.Equal(due, time.GetUtcNow());
        BlockingTimer.Release.TrySetResult();
        await dispatcher.StopAsync(ct);
    }

    /// <summary>A fake clock that reports each timer started on it, once the timer is on the clock.</summary>
    /// <remarks>
    /// Reported before it was registered, a wait could be run out (the clock advanced) before the timer existed: the
    /// timer then counted its day from the advanced time, never fired, and the test waited 30 s for a wait that never
    /// came (3 runs in 30 with the cores busy: the test advances the clock on its thread while the dispatcher creates timers on another).
    /// </remarks>
    private sealed class WatchedClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public Channel<TimeSpan> Waits { get; } = Channel.CreateUnbounded<TimeSpan>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Waits.Writer.TryWrite(dueTime);
            return timer;
        }
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
