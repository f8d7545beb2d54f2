using Huntaze.Functions.Platform.Hosting;
using System.Diagnostics.Metrics;
using Huntaze.Functions.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Audit.Denials;

/// <summary>
/// Writes the <see cref="DenialRecorder"/>'s changed rows every <see cref="AuditOptions.DenialFlushSeconds"/>
/// and once more when the host stops. Storage cost is bounded whatever the request rate: per flush, one
/// upsert per changed (client, minute) row, batched 100 to a transaction. While storage is down rows wait
/// (bounded: <see cref="BacklogMinutes"/>), then are dropped and counted.
/// </summary>
public sealed partial class DenialFlusher(
    DenialRecorder recorder,
    DenialStore store,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<DenialFlusher> logger) : BackgroundService
{
    public const int BacklogMinutes = 10;
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);
    private static readonly Counter<long> Dropped = HuntazeDiagnostics.Meter.CreateCounter<long>(
        "huntaze.audit.denials.dropped", description: "Refused requests whose denial rows could not be written within the backlog.");

    /// <summary>Names this instance's rows: each row has one writer. Random per start, so two hosts in one process never share rows.</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>Writes what changed since the last flush; false when storage refused (the rows are kept for the next one).</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var rows = recorder.TakeChanged();
        var written = true;
        if (rows.Count > 0)
        {
            try
            {
                await store.WriteAsync(rows, Instance, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (AuditUnavailable.IsStorageFailure(exception, cancellationToken) || exception is OperationCanceledException)
            {
                recorder.Restore(rows);
                LogFlushFailed(logger, exception, rows.Count);
                written = false;
            }
        }

        var dropped = recorder.Forget(time.GetUtcNow().ToUnixTimeSeconds() / 60, BacklogMinutes);
        if (dropped > 0)
        {
            Dropped.Add(dropped);
            LogDropped(logger, dropped, BacklogMinutes);
        }

        return written;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(TimeSpan.FromSeconds(options.Value.DenialFlushSeconds), time, FlushAsync, exception => LogFlushFailed(logger, exception, 0), stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(StopBudget);
        await FlushAsync(budget.Token).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3210, Level = LogLevel.Warning, Message = "Could not write {Rows} denial rows; they are kept for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int rows);

    [LoggerMessage(EventId = 3211, Level = LogLevel.Error, Message = "Dropped {Denials} recorded denials: the denial stream could not be written for {Minutes} minutes")]
    private static partial void LogDropped(ILogger logger, long denials, int minutes);
}
