using Microsoft.Azure.Functions.Worker;

namespace Huntaze.IntegrationTests.TestFunctions;

/// <summary>Test-only timers: one on a schedule from a setting, one that only runs when triggered.</summary>
public static class TimerFunctions
{
    private static int _ticks;
    private static int _manualRuns;
    private static int _startupRuns;

    public static int Ticks => Volatile.Read(ref _ticks);

    public static int ManualRuns => Volatile.Read(ref _manualRuns);

    public static int StartupRuns => Volatile.Read(ref _startupRuns);

    [Function("TestTicker")]
    public static void Tick([TimerTrigger("%TestTimer__Schedule%")] TimerInfo timer) => Interlocked.Increment(ref _ticks);

    [Function("TestManualTimer")]
    public static Task RunAsync([TimerTrigger("0 0 0 1 1 *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _manualRuns);
        return Task.CompletedTask;
    }

    /// <summary>Scheduled once a year, but declared RunOnStartup: it must run when a host starts.</summary>
    [Function("TestStartupTimer")]
    public static void OnStartup([TimerTrigger("0 0 0 1 1 *", RunOnStartup = true)] TimerInfo timer) => Interlocked.Increment(ref _startupRuns);
}
