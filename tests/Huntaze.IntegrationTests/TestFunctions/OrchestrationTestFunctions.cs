using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Huntaze.IntegrationTests.TestFunctions;

/// <summary>Test-only orchestrations that end in each status the admin API and the purge deal with.</summary>
public static class OrchestrationTestFunctions
{
    public const string WaitForEvent = "TestWaitForEvent";
    public const string Fail = "TestFail";
    public const string Slow = "TestSlow";

    /// <summary>How many times each slow activity (by its input) started.</summary>
    public static ConcurrentDictionary<string, int> SlowRuns { get; } = new();

    /// <summary>Runs until raised or terminated.</summary>
    [Function(WaitForEvent)]
    public static Task<string> WaitAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        context.WaitForExternalEvent<string>("go");

    [Function(Fail)]
    public static Task<int> FailAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        throw new InvalidOperationException("Fails on purpose.");

    /// <summary>One activity that runs for <c>seconds</c>: longer than a short work-item visibility timeout.</summary>
    [Function(Slow)]
    public static Task<int> SlowAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        context.CallActivityAsync<int>("TestSlowActivity", context.GetInput<SlowInput>());

    [Function("TestSlowActivity")]
    public static async Task<int> SlowActivityAsync([ActivityTrigger] SlowInput input, CancellationToken cancellationToken)
    {
        var runs = SlowRuns.AddOrUpdate(input.Key, 1, (_, n) => n + 1);
        await Task.Delay(TimeSpan.FromSeconds(input.Seconds), cancellationToken);
        return runs;
    }
}

public sealed record SlowInput(string Key, int Seconds);
