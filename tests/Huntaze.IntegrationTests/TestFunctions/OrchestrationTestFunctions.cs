using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Huntaze.IntegrationTests.TestFunctions;

/// <summary>Test-only orchestrations that end in each status the admin API and the purge deal with.</summary>
public static class OrchestrationTestFunctions
{
    public const string WaitForEvent = "TestWaitForEvent";
    public const string Fail = "TestFail";

    /// <summary>Runs until raised or terminated.</summary>
    [Function(WaitForEvent)]
    public static Task<string> WaitAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        context.WaitForExternalEvent<string>("go");

    [Function(Fail)]
    public static Task<int> FailAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        throw new InvalidOperationException("Fails on purpose.");
}
