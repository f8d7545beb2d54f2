using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary>
/// Keeps the open-request gauges (<see cref="PrivacyMetrics"/>: open, overdue, age of the oldest) current
/// when no DPO is looking at the queue: every five minutes, one scan of the open requests. A missed run only
/// leaves the gauges five minutes older.
/// </summary>
public sealed class OpenRequestsSampler(PrivacyRequestService service)
{
    public const string Name = "PrivacyOpenRequestsSample";

    [Function(Name)]
    public async Task RunAsync([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        _ = await service.ListOpenAsync(overdueOnly: false, cancellationToken).ConfigureAwait(false);
}
