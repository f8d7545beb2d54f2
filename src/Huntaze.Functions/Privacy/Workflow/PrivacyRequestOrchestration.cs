using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Huntaze.Functions.Privacy.Workflow;

/// <summary>
/// One orchestration per data-subject request (instance id <c>dsr-{requestId}</c>). Export and erasure fan
/// out over the data handlers (one activity per handler, so one slow or failing store retries alone),
/// erasure then verifies every store and completes; restriction and objection apply a control;
/// rectification waits for the DPO. Deterministic: only the context's time and the activities' results.
/// </summary>
public sealed class PrivacyRequestOrchestration(RequestWorkflow workflow)
{
    public const string Orchestrator = "PrivacyRequest";
    public const string Begin = "PrivacyRequestBegin";
    public const string ExportStore = "PrivacyExportStore";
    public const string Archive = "PrivacyExportArchive";
    public const string EraseStore = "PrivacyEraseStore";
    public const string VerifyStore = "PrivacyVerifyStore";
    public const string CompleteErasure = "PrivacyErasureComplete";
    public const string ApplyControl = "PrivacyApplyControl";
    public const string AwaitDpo = "PrivacyAwaitDpo";
    public const string Fail = "PrivacyRequestFail";
    public const string ResolvedEvent = "dpo-resolved";

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(4, TimeSpan.FromSeconds(1), 2.0));

    [Function(Orchestrator)]
    public static async Task<string> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<DsrInput>() ?? throw new InvalidOperationException("A request workflow needs its input.");
        var id = input.RequestId;
        try
        {
            var plan = await context.CallActivityAsync<DsrPlan>(Begin, id, Retry);
            if (plan.Done)
            {
                return "closed";
            }

            switch (plan.Type)
            {
                case "access" or "portability":
                    await FanOutAsync(context, ExportStore, id, plan.Handlers, "exporting");
                    context.SetCustomStatus(new DsrProgress("archiving", 0, 1));
                    await context.CallActivityAsync<bool>(Archive, id, Retry);
                    break;
                case "erasure":
                    var erased = await FanOutAsync(context, EraseStore, id, plan.Handlers, "erasing");
                    erased.AddRange(await FanOutAsync(context, EraseStore, id, plan.LateHandlers, "erasing"));
                    var found = await FanOutAsync(context, VerifyStore, id, [.. plan.Handlers, .. plan.LateHandlers], "verifying");
                    context.SetCustomStatus(new DsrProgress("completing", 0, 1));
                    await context.CallActivityAsync<bool>(
                        CompleteErasure,
                        new DsrCompleteInput(id, [.. erased.SelectMany(r => r.Counts)], [.. found.SelectMany(r => r.Counts)]),
                        Retry);
                    break;
                case "restriction" or "objection":
                    await context.CallActivityAsync<bool>(ApplyControl, id, Retry);
                    break;
                case "rectification":
                    context.SetCustomStatus(new DsrProgress("awaiting_dpo", 0, 1));
                    if (await context.CallActivityAsync<bool>(AwaitDpo, id, Retry))
                    {
                        await context.WaitForExternalEvent<string>(ResolvedEvent);
                    }

                    break;
            }

            context.SetCustomStatus(new DsrProgress("done", 1, 1));
            return "completed";
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync<bool>(Fail, new DsrFailInput(id, $"Step {failure.TaskName} failed after retries."), Retry);
            context.SetCustomStatus(new DsrProgress("failed", 0, 1));
            return "failed";
        }
    }

    /// <summary>One activity per handler, all at once; the status counts them as they finish.</summary>
    private static async Task<List<DsrStoreResult>> FanOutAsync(TaskOrchestrationContext context, string activity, string id, IReadOnlyList<string> handlers, string phase)
    {
        var pending = handlers.Select(h => context.CallActivityAsync<DsrStoreResult>(activity, new DsrStoreInput(id, h), Retry)).ToList();
        var results = new List<DsrStoreResult>(pending.Count);
        context.SetCustomStatus(new DsrProgress(phase, 0, handlers.Count));
        while (pending.Count > 0)
        {
            var finished = await Task.WhenAny(pending);
            pending.Remove(finished);
            results.Add(await finished);
            context.SetCustomStatus(new DsrProgress(phase, results.Count, handlers.Count));
        }

        return results;
    }

    [Function(Begin)]
    public Task<DsrPlan> BeginAsync([ActivityTrigger] string requestId, CancellationToken cancellationToken) =>
        workflow.BeginAsync(requestId, cancellationToken);

    /// <summary>Re-running overwrites the same part blob.</summary>
    [Function(ExportStore)]
    public Task<DsrStoreResult> ExportStoreAsync([ActivityTrigger] DsrStoreInput input, CancellationToken cancellationToken) =>
        workflow.ExportStoreAsync(input, cancellationToken);

    /// <summary>Re-running finds the request completed and does nothing.</summary>
    [Function(Archive)]
    public Task<bool> ArchiveAsync([ActivityTrigger] string requestId, CancellationToken cancellationToken) =>
        workflow.ArchiveAsync(requestId, cancellationToken);

    /// <summary>Re-running finds nothing left to erase (counts 0).</summary>
    [Function(EraseStore)]
    public Task<DsrStoreResult> EraseStoreAsync([ActivityTrigger] DsrStoreInput input, CancellationToken cancellationToken) =>
        workflow.EraseStoreAsync(input, cancellationToken);

    /// <summary>Read-only.</summary>
    [Function(VerifyStore)]
    public Task<DsrStoreResult> VerifyStoreAsync([ActivityTrigger] DsrStoreInput input, CancellationToken cancellationToken) =>
        workflow.VerifyStoreAsync(input, cancellationToken);

    /// <summary>The ledger insert is a no-op the second time (same row key); the completion is conditional on Running.</summary>
    [Function(CompleteErasure)]
    public Task<bool> CompleteErasureAsync([ActivityTrigger] DsrCompleteInput input, CancellationToken cancellationToken) =>
        workflow.CompleteErasureAsync(input, cancellationToken);

    /// <summary>Setting or lifting a control is a set operation; completion is conditional on Running.</summary>
    [Function(ApplyControl)]
    public Task<bool> ApplyControlAsync([ActivityTrigger] string requestId, CancellationToken cancellationToken) =>
        workflow.ApplyControlAsync(requestId, cancellationToken);

    [Function(AwaitDpo)]
    public Task<bool> AwaitDpoAsync([ActivityTrigger] string requestId, CancellationToken cancellationToken) =>
        workflow.AwaitDpoAsync(requestId, cancellationToken);

    [Function(Fail)]
    public Task<bool> FailAsync([ActivityTrigger] DsrFailInput input, CancellationToken cancellationToken) =>
        workflow.FailAsync(input, cancellationToken);
}
