using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Huntaze.Functions.Backups.Restore;

/// <summary>
/// A restore (or the weekly drill): check every file it will read, restore table by table, replay the
/// journal to the point in time, re-apply the erasure ledger, then report. Nothing is written before all
/// files have passed their check, so a corrupt or truncated file never leaves a partial live restore. A host
/// stopped mid-restore resumes: a table activity that ran part-way runs again and writes the same rows.
/// </summary>
public sealed class RestoreOrchestration(RestoreService restores)
{
    public const string Orchestrator = "BackupRestore";
    public const string Prepare = "BackupRestorePrepare";
    public const string RestoreTable = "BackupRestoreTable";
    public const string ApplyJournal = "BackupRestoreJournal";
    public const string Reapply = "BackupRestoreErasures";
    public const string CompareDrill = "BackupRestoreDrillCompare";
    public const string DeleteSide = "BackupRestoreDeleteSide";
    public const string Finish = "BackupRestoreFinish";

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(2), 2.0, TimeSpan.FromSeconds(30)));

    [Function(Orchestrator)]
    public static async Task<RestoreOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<RestoreInput>() ?? throw new InvalidOperationException("A restore needs its input.");
        var started = context.CurrentUtcDateTime;
        RestoreOutcome outcome;
        try
        {
            outcome = await RestoreAsync(context, input);
        }
        catch (TaskFailedException e)
        {
            outcome = new RestoreOutcome("failed", 0, 0, 0, [], 0, 0, e.FailureDetails.ErrorMessage);
        }

        await context.CallActivityAsync<bool>(Finish, new RestoreFinishInput(input, outcome, new DateTimeOffset(started, TimeSpan.Zero)), Retry);
        if (outcome.Outcome == "failed")
        {
            context.SetCustomStatus(new RestoreProgress("failed", 0, input.Tables.Count, 0, outcome.RowsTotal));
        }

        return outcome;
    }

    private static async Task<RestoreOutcome> RestoreAsync(TaskOrchestrationContext context, RestoreInput input)
    {
        context.SetCustomStatus(new RestoreProgress("verifying", 0, input.Tables.Count, 0, 0));
        var plan = await context.CallActivityAsync<RestorePlan>(Prepare, input, Retry);
        var total = plan.Tables.Sum(t => t.Rows);
        if (plan.Failure is { } failure)
        {
            return new RestoreOutcome("failed", total, 0, 0, [], 0, 0, failure);
        }

        var results = new List<RestoreTableResult>();
        foreach (var table in plan.Tables)
        {
            context.SetCustomStatus(new RestoreProgress("restoring", results.Count, plan.Tables.Count, table.RowsBefore, total));
            results.Add(await context.CallActivityAsync<RestoreTableResult>(RestoreTable, table, Retry));
        }

        var journalChanges = 0;
        if (input.PointInTime is { } pointInTime)
        {
            context.SetCustomStatus(new RestoreProgress("journal", results.Count, plan.Tables.Count, total, total));
            foreach (var table in plan.Tables)
            {
                var applied = await context.CallActivityAsync<JournalApplyResult>(
                    ApplyJournal, new JournalApplyInput(input.RestoreId, table.Table, table.Mode, plan.JournalFrom, pointInTime, input.Target, input.SidePrefix, input.DryRun), Retry);
                journalChanges += applied.Changes;
            }
        }

        string? drillFailure = null;
        var erased = 0;
        if (input.Drill)
        {
            context.SetCustomStatus(new RestoreProgress("comparing", results.Count, plan.Tables.Count, total, total));
            drillFailure = await context.CallActivityAsync<string?>(CompareDrill, new DrillCompareInput(plan, input.SidePrefix), Retry);
            await context.CallActivityAsync<int>(DeleteSide, new DrillCompareInput(plan, input.SidePrefix), Retry);
        }
        else if (!input.DryRun)
        {
            // Before success is reported: no erased subject comes back, in side tables or live.
            context.SetCustomStatus(new RestoreProgress("erasures", results.Count, plan.Tables.Count, total, total));
            erased = await context.CallActivityAsync<int>(Reapply, new ReapplyInput(input.Target, input.SidePrefix, plan.DataAsOf, input.DryRun), Retry);
        }

        context.SetCustomStatus(new RestoreProgress("completed", results.Count, plan.Tables.Count, total, total));
        return new RestoreOutcome(
            drillFailure is null ? "completed" : "failed",
            total,
            results.Sum(r => r.Written),
            results.Sum(r => r.Deleted),
            results,
            journalChanges,
            erased,
            drillFailure);
    }

    [Function(Prepare)]
    public Task<RestorePlan> PrepareAsync([ActivityTrigger] RestoreInput input, CancellationToken cancellationToken) =>
        restores.PrepareAsync(input, cancellationToken);

    /// <summary>Idempotent: replace upserts the same rows and deletes the same others; additive keeps what it added before.</summary>
    [Function(RestoreTable)]
    public Task<RestoreTableResult> RestoreTableAsync([ActivityTrigger] RestoreTableInput input, CancellationToken cancellationToken) =>
        restores.RestoreTableAsync(input, cancellationToken);

    /// <summary>Idempotent: the folded end state of each entity is written again.</summary>
    [Function(ApplyJournal)]
    public Task<JournalApplyResult> ApplyJournalAsync([ActivityTrigger] JournalApplyInput input, CancellationToken cancellationToken) =>
        restores.ApplyJournalAsync(input, cancellationToken);

    /// <summary>Idempotent: erasing an erased subject again finds nothing.</summary>
    [Function(Reapply)]
    public Task<int> ReapplyAsync([ActivityTrigger] ReapplyInput input, CancellationToken cancellationToken) =>
        restores.ReapplyErasuresAsync(input, cancellationToken);

    [Function(CompareDrill)]
    public Task<string?> CompareDrillAsync([ActivityTrigger] DrillCompareInput input, CancellationToken cancellationToken) =>
        restores.CompareDrillAsync(input, cancellationToken);

    /// <summary>Idempotent: deleting a deleted table is a 404 the SDK ignores.</summary>
    [Function(DeleteSide)]
    public Task<int> DeleteSideAsync([ActivityTrigger] DrillCompareInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return restores.DeleteSideTablesAsync([.. input.Plan.Tables.Select(t => t.Table)], input.SidePrefix, cancellationToken);
    }

    /// <summary>Idempotent: records are upserts by restore id, the lock is released only by its holder (an audit entry may repeat).</summary>
    [Function(Finish)]
    public Task<bool> FinishAsync([ActivityTrigger] RestoreFinishInput input, CancellationToken cancellationToken) =>
        restores.FinishAsync(input, cancellationToken);
}
