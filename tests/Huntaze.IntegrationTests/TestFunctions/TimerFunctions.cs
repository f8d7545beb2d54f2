using Microsoft.Azure.Functions.Worker;

namespace Huntaze.IntegrationTests.TestFunctions;

/// <summary>Test-only timers: one on a schedule from a setting, one that only runs when triggered.</summary>
public static class TimerFunctions
{
    private static int _ticks;
    private static int _manualRuns;

    public static int Ticks => Volatile.Read(ref _ticks);

    public static int ManualRuns => Volatile.Read(ref _manualRuns);

    [Function("TestTicker")]
    public static void Tick([TimerTrigger("%TestTimer__Schedule%")] TimerInfo timer) => Interlocked.Increment(ref _ticks);

    [Function("TestManualTimer")]
    public static Task RunAsync([TimerTrigger("0 0 0 1 1 *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _manualRuns);
        return Task.CompletedTask;
    }
}
