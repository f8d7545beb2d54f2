using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Resilience;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// The append-only audit table of admin actions. Partition = UTC day (<c>yyyyMMdd</c>), row = zero-padded
/// sequence; a chain-head row per day holds the last sequence and hash. An append inserts the entry and
/// replaces the head (If-Match its ETag) in one entity-group transaction, so concurrent appenders serialize
/// on the head and the chain never forks: the loser re-reads the head and tries again. Only admin actions
/// contend here: refusals (401/403) go to the denial stream (<see cref="Denials.DenialRecorder"/>).
/// Transient storage failures are retried by the SDK's pipeline (one layer, ADR 0006); this class only loops
/// on the chain's own compare-and-swap conflicts, and its transaction recognises its own commit behind a lost
/// response (<see cref="ConditionalTableWrites"/>). Nothing updates or deletes entries.
/// </summary>
public sealed partial class TableAuditLog(StorageClients storage, IAuditProtector protector, AuditDetailsBlobs blobs, IOptions<AuditOptions> options, TimeProvider time, ILogger<TableAuditLog> logger) : IAuditLog
{
    public const string TableName = "audit";
    public const string HeadRowKey = "~head";
    public const int MaxAttempts = 20;

    /// <summary>Appends the entry, or throws the 503 problem of <see cref="AuditUnavailable"/> when storage cannot take it.</summary>
    public async Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await AppendCoreAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (AuditUnavailable.IsStorageFailure(exception, cancellationToken))
        {
            LogAppendFailed(logger, exception, record.Action);
            throw AuditUnavailable.Problem(options.Value.RetryAfterSeconds);
        }
    }

    private async Task AppendCoreAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableName, cancellationToken).ConfigureAwait(false);
        // People are stored protected (IAuditProtector); the hash covers exactly what is stored.
        record = await protector.ProtectAsync(record, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string?>(record.Details ?? new Dictionary<string, string?>(), StringComparer.Ordinal);
        // The W3C trace id joins the entry to the request's telemetry, next to the correlation id.
        if (System.Diagnostics.Activity.Current is { } activity && !details.ContainsKey("traceId"))
        {
            details["traceId"] = activity.TraceId.ToString();
        }

        var serialized = AuditChain.SerializeDetails(details);
        var detailsBlob = serialized.Length > AuditDetailsBlobs.MaxInlineChars
            ? await blobs.SaveAsync(serialized, cancellationToken).ConfigureAwait(false)
            : null;
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var partition = PartitionFor(now);
            var head = await table.GetEntityIfExistsAsync<TableEntity>(partition, HeadRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            var headEntity = head.HasValue ? head.Value : null;
            var sequence = (headEntity?.GetInt64("Sequence") ?? 0) + 1;
            var previous = headEntity?.GetString("Hash") ?? AuditChain.Genesis(partition);
            var unsigned = new AuditEntry(partition, sequence, now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                record.Actor, record.Action, record.Target, record.Outcome, record.CorrelationId, details, previous, "");
            var entry = unsigned with { Hash = AuditChain.ComputeHash(unsigned) };

            // The entry and the new head in one transaction, conditional on the head read (absent: created). A
            // retry whose first attempt committed behind a lost response is recognised by the batch's write id.
            var batch = new TableWriteBatch(partition)
                .Put(ToEntity(entry, detailsBlob is null ? serialized : null, detailsBlob), null)
                .Put(new TableEntity(partition, HeadRowKey) { ["Sequence"] = sequence, ["Hash"] = entry.Hash }, headEntity?.ETag);
            var result = await table.SubmitAsync(batch, cancellationToken).ConfigureAwait(false);
            if (result.Committed)
            {
                return;
            }

            // Another appender took this sequence number first.
            if (attempt >= MaxAttempts)
            {
                throw new AuditContendedException(partition, attempt);
            }

            LogContended(logger, partition, attempt);
            await Task.Delay(Backoff.Delay(attempt - 1, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(160)), time, cancellationToken).ConfigureAwait(false);
        }
    }

    public static string PartitionFor(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string RowKeyFor(long sequence) => sequence.ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>The stored row: details inline (<paramref name="detailsJson"/>) or by reference to <paramref name="detailsBlob"/>.</summary>
    internal static TableEntity ToEntity(AuditEntry entry, string? detailsJson, string? detailsBlob)
    {
        var entity = new TableEntity(entry.Partition, RowKeyFor(entry.Sequence))
        {
            ["Sequence"] = entry.Sequence,
            ["Time"] = entry.Time,
            ["Actor"] = entry.Actor,
            ["Action"] = entry.Action,
            ["Target"] = entry.Target,
            ["Outcome"] = entry.Outcome,
            ["CorrelationId"] = entry.CorrelationId,
            ["PreviousHash"] = entry.PreviousHash,
            ["Hash"] = entry.Hash,
        };
        if (detailsBlob is not null)
        {
            entity["DetailsBlob"] = detailsBlob;
        }
        else
        {
            entity["Details"] = detailsJson ?? AuditChain.SerializeDetails(entry.Details);
        }

        return entity;
    }

    /// <summary>The entry of a stored row, with <paramref name="details"/> already resolved (inline or from its blob).</summary>
    internal static AuditEntry FromEntity(TableEntity entity, IReadOnlyDictionary<string, string?> details) => new(
        entity.PartitionKey,
        entity.GetInt64("Sequence") ?? -1,
        entity.GetString("Time") ?? "",
        entity.GetString("Actor") ?? "",
        entity.GetString("Action") ?? "",
        entity.GetString("Target") ?? "",
        entity.GetString("Outcome") ?? "",
        entity.GetString("CorrelationId") ?? "",
        details,
        entity.GetString("PreviousHash") ?? "",
        entity.GetString("Hash") ?? "");

    [LoggerMessage(EventId = 3200, Level = LogLevel.Debug, Message = "Audit chain {Partition} contended, attempt {Attempt}")]
    private static partial void LogContended(ILogger logger, string partition, int attempt);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Error, Message = "Could not append {Action} to the audit log; the request is refused with 503")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string action);
}

/// <summary>The chain's head was taken by other appenders on every attempt: the entry was not written.</summary>
public sealed class AuditContendedException(string partition, int attempts)
    : Exception($"The audit chain {partition} stayed contended for {attempts} attempts.");
