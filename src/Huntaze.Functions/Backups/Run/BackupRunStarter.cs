using Huntaze.Functions.Security.Audit;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Backups.Run;

/// <summary>Starts an operator's backup run or verification, audited before it takes effect (write-ahead).</summary>
public sealed class BackupRunStarter(IAuditLog audit)
{
    /// <summary>
    /// Appends the accepted entry, then schedules the run: when the audit log cannot take the entry the caller
    /// gets 503 with Retry-After and no run starts (a run writes backups and expires old ones).
    /// </summary>
    public async Task<string> StartAsync(DurableTaskClient client, BackupRunInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        var id = BackupRunOrchestration.NewId();
        var change = new AuditRecord(input.Actor, input.VerifyOnly ? "backup.verify.started" : "backup.run.started", "backup:" + input.Date, AuditedChange.Accepted, input.CorrelationId,
            new Dictionary<string, string?> { ["runId"] = id });
        await audit.RecordChangeAsync(
            change,
            token => client.ScheduleNewOrchestrationInstanceAsync(BackupRunOrchestration.Orchestrator, input, new StartOrchestrationOptions(id), token),
            cancellationToken).ConfigureAwait(false);
        return id;
    }
}
