using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Orchestrations;

/// <summary>
/// Retention for the task hub: purges completed, failed and terminated instances (history, instance row,
/// large payload blobs) created before now minus <see cref="OrchestrationOptions.RetentionDays"/>.
/// Running, pending and suspended instances are never touched, however old.
/// </summary>
public sealed partial class OrchestrationPurge(TimeProvider time, IOptions<OrchestrationOptions> options, ILogger<OrchestrationPurge> logger)
{
    public static readonly IReadOnlyList<OrchestrationRuntimeStatus> TerminalStatuses =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    /// <summary>Instances created before this instant are old enough to purge.</summary>
    public DateTimeOffset Cutoff() => time.GetUtcNow().AddDays(-options.Value.RetentionDays);

    /// <summary>
    /// The instances <see cref="PurgeAsync"/> would purge now, by id (the privacy retention preview lists them
    /// and its run purges exactly those).
    /// </summary>
    public async Task<(DateTimeOffset Cutoff, IReadOnlyList<string> Ids)> ExpiredAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var cutoff = Cutoff();
        var ids = new List<string>();
        var query = new OrchestrationQuery(CreatedFrom: DateTimeOffset.UnixEpoch, CreatedTo: cutoff, Statuses: TerminalStatuses);
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(instance.InstanceId);
        }

        return (cutoff, ids);
    }

    public async Task<int> PurgeAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var cutoff = Cutoff();
        // The lower bound is explicit: providers differ on an open one.
        var result = await client.PurgeAllInstancesAsync(new PurgeInstancesFilter(DateTimeOffset.UnixEpoch, cutoff, TerminalStatuses), cancellationToken).ConfigureAwait(false);
        LogPurged(logger, result.PurgedInstanceCount, cutoff);
        return result.PurgedInstanceCount;
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Purged {Count} finished orchestration instances created before {Cutoff:O}")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset cutoff);
}
