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
    public const string Generations = "TestGenerations";

    /// <summary>How many times each slow activity (by its input) started.</summary>
    public static ConcurrentDictionary<string, int> SlowRuns { get; } = new();

    /// <summary>Each generation's activity, by key and generation: the test sees it start and decides when it returns.</summary>
    public static ConcurrentDictionary<string, (TaskCompletionSource Started, TaskCompletionSource Release)> GenerationGates { get; } = new();

    public static (TaskCompletionSource Started, TaskCompletionSource Release) GenerationGate(string key, int generation) =>
        GenerationGates.GetOrAdd($"{key}/{generation}", _ => (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)));

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

    /// <summary>Generation 0 calls one activity and continues as new; generation 1 returns what its one activity (task id 0 again) returned.</summary>
    [Function(Generations)]
    public static async Task<string> GenerationsAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<GenerationInput>()!;
        var result = await context.CallActivityAsync<string>("TestGenerationActivity", input);
        if (input.Generation == 0)
        {
            context.ContinueAsNew(input with { Generation = 1 });
        }

        return result;
    }

    [Function("TestGenerationActivity")]
    public static async Task<string> GenerationActivityAsync([ActivityTrigger] GenerationInput input, CancellationToken cancellationToken)
    {
        var gate = GenerationGate(input.Key, input.Generation);
        gate.Started.TrySetResult();
        await gate.Release.Task.WaitAsync(cancellationToken);
        return $"generation {input.Generation}";
    }

    [Function("TestSlowActivity")]
    public static async Task<int> SlowActivityAsync([ActivityTrigger] SlowInput input, CancellationToken cancellationToken)
    {
        var runs = SlowRuns.AddOrUpdate(input.Key, 1, (_, n) => n + 1);
        await Task.Delay(TimeSpan.FromSeconds(input.Seconds), cancellationToken);
        return runs;
    }
}

public sealed record SlowInput(string Key, int Seconds);

public sealed record GenerationInput(string Key, int Generation);
