using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Huntaze.Bench.Durable;

/// <summary>Bench-only orchestrations: a chain of three activities and a fan-out/fan-in; the activity does no I/O.</summary>
public static class BenchOrchestrations
{
    public const string Chain = "BenchChain";
    public const string FanOut = "BenchFanOut";

    [Function(Chain)]
    public static async Task<int> ChainAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var value = await context.CallActivityAsync<int>("BenchIncrement", 0);
        value = await context.CallActivityAsync<int>("BenchIncrement", value);
        return await context.CallActivityAsync<int>("BenchIncrement", value);
    }

    [Function(FanOut)]
    public static async Task<int> FanOutAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var count = context.GetInput<int>();
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => context.CallActivityAsync<int>("BenchIncrement", i)));
        return results.Sum();
    }

    [Function("BenchIncrement")]
    public static int Increment([ActivityTrigger] int value) => value + 1;
}
