using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Backups.Run;

public sealed record BackupRunInput(string Date, bool VerifyOnly, string Actor, string CorrelationId);

public sealed record BackupRunOutcome(string Date, bool Skipped, long Rows, int Files, bool Verified, IReadOnlyList<string> Failures, IReadOnlyList<string> Expired);

/// <summary>
/// The daily run (timer) and an operator's run or verification (admin API): take the backup, verify it,
/// then expire old backups, prune the journal and verify any backup left unverified.
/// </summary>
public sealed class BackupRunOrchestration(BackupService backups, TimeProvider time)
{
    public const string Orchestrator = "BackupRun";
    public const string Take = "BackupTake";
    public const string Verify = "BackupVerify";
    public const string Maintain = "BackupMaintain";
    public const string Timer = "BackupTimer";
    public const string IdPrefix = "backup-run-";

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(5), 2.0));

    /// <summary>The daily backup, at <c>Backups__Schedule</c> (default 02:00 UTC).</summary>
    [Function(Timer)]
    public async Task RunTimerAsync([TimerTrigger("%Backups__Schedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var today = BackupCatalog.Format(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        await client.ScheduleNewOrchestrationInstanceAsync(
            Orchestrator, new BackupRunInput(today, false, "system", "timer-" + today), new StartOrchestrationOptions(NewId()), cancellationToken).ConfigureAwait(false);
    }

    public static string NewId() => IdPrefix + Guid.NewGuid().ToString("N");

    [Function(Orchestrator)]
    public static async Task<BackupRunOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<BackupRunInput>() ?? throw new InvalidOperationException("A backup run needs its input.");
        BackupRunResult? taken = null;
        if (!input.VerifyOnly)
        {
            context.SetCustomStatus("backing up");
            taken = await context.CallActivityAsync<BackupRunResult>(Take, input, Retry);
        }

        context.SetCustomStatus("verifying");
        var verification = await context.CallActivityAsync<BackupVerification>(Verify, input, Retry);
        IReadOnlyList<string> expired = [];
        if (!input.VerifyOnly)
        {
            context.SetCustomStatus("expiring");
            expired = (await context.CallActivityAsync<MaintenanceResult>(Maintain, input, Retry)).Expired;
        }

        return new BackupRunOutcome(input.Date, taken?.Skipped ?? false, taken?.Rows ?? 0, taken?.Files ?? 0, verification.Passed, verification.Failures, expired);
    }

    /// <summary>Idempotent: a verified backup of the date is left alone; an unverified one is written again whole.</summary>
    [Function(Take)]
    public Task<BackupRunResult> TakeAsync([ActivityTrigger] BackupRunInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return backups.RunAsync(BackupCatalog.Parse(input.Date), cancellationToken);
    }

    /// <summary>Idempotent: re-reading the files gives the same verdict (an audit entry of a failure may repeat).</summary>
    [Function(Verify)]
    public Task<BackupVerification> VerifyAsync([ActivityTrigger] BackupRunInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return backups.VerifyAsync(BackupCatalog.Parse(input.Date), input.Actor, input.CorrelationId, cancellationToken);
    }

    /// <summary>Idempotent: what is expired or pruned is gone the second time.</summary>
    [Function(Maintain)]
    public Task<MaintenanceResult> MaintainAsync([ActivityTrigger] BackupRunInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return backups.MaintainAsync(input.Actor, input.CorrelationId, cancellationToken);
    }
}
