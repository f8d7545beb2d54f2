using Huntaze.Functions.Platform.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.UnitTests.Platform;

public sealed class PeriodicWorkTests
{
    [Fact]
    public async Task RunAsync_TickTimesOutWhileRunning_ReportsAndKeepsTicking()
    {
        var time = new FakeTimeProvider();
        using var stopping = new CancellationTokenSource();
        var ticks = 0;
        var failures = new List<Exception>();
        var loop = PeriodicWork.RunAsync(
            TimeSpan.FromSeconds(5),
            time,
            _ => ++ticks == 1 ? throw new TaskCanceledException("A storage call exceeded its network timeout.") : Task.CompletedTask,
            failures.Add,
            stopping.Token);

        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await WaitUntilAsync(() => ticks > i);
        }

        Assert.False(loop.IsCompleted);
        Assert.IsType<TaskCanceledException>(Assert.Single(failures));
        await stopping.CancelAsync();
        await loop;
        Assert.True(loop.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task RunAsync_StoppingTokenCancelledWhileWaiting_EndsWithoutThrowing()
    {
        using var stopping = new CancellationTokenSource();
        var loop = PeriodicWork.RunAsync(TimeSpan.FromHours(1), TimeProvider.System, _ => Task.CompletedTask, _ => { }, stopping.Token);

        await stopping.CancelAsync();
        await loop;

        Assert.True(loop.IsCompletedSuccessfully);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
