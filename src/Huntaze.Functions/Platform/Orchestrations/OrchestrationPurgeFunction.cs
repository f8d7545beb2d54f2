using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Platform.Orchestrations;

/// <summary>Daily retention of the task hub (see <see cref="OrchestrationPurge"/>). A missed run only delays the purge.</summary>
public sealed class OrchestrationPurgeFunction(OrchestrationPurge purge)
{
    public const string Name = "OrchestrationPurge";

    [Function(Name)]
    public Task RunAsync(
        [TimerTrigger("0 41 2 * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        purge.PurgeAsync(client, cancellationToken);
}
