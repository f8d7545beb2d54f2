using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Resilience;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// The append-only audit table. Partition = UTC day (<c>yyyyMMdd</c>), row = zero-padded sequence; a
/// chain-head row per day holds the last sequence and hash. An append inserts the entry and replaces the
/// head (If-Match its ETag) in one entity-group transaction, so concurrent appenders serialize on the
/// head and the chain never forks: the loser re-reads the head and tries again. Nothing updates or
/// deletes entries; the app's identity needs only insert and update on this table.
/// </summary>
public sealed partial class TableAuditLog(StorageClients storage, IAuditProtector protector, TimeProvider time, ILogger<TableAuditLog> logger) : IAuditLog
{
    public const string TableName = "audit";
    public const string HeadRowKey = "~head";
    public const int MaxAttempts = 20;

    public async Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var table = await storage.GetTableAsync(TableName, cancellationToken).ConfigureAwait(false);
        // People are stored protected (IAuditProtector); the hash covers exactly what is stored.
        record = await protector.ProtectAsync(record, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string?>(record.Details ?? new Dictionary<string, string?>(), StringComparer.Ordinal);
        // The W3C trace id joins the entry to the request's telemetry, next to the correlation id.
        if (System.Diagnostics.Activity.Current is { } activity && !details.ContainsKey("traceId"))
        {
            details["traceId"] = activity.TraceId.ToString();
        }

        for (var attempt = 0; ; attempt++)
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

            var newHead = new TableEntity(partition, HeadRowKey) { ["Sequence"] = sequence, ["Hash"] = entry.Hash };
            TableTransactionAction[] batch =
            [
                new(TableTransactionActionType.Add, ToEntity(entry)),
                headEntity is null
                    ? new(TableTransactionActionType.Add, newHead)
                    : new(TableTransactionActionType.UpdateReplace, newHead, headEntity.ETag),
            ];
            try
            {
                await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt + 1 < MaxAttempts)
            {
                // Another appender took this sequence number first.
                LogContended(logger, partition, attempt + 1);
                await Task.Delay(Backoff.Delay(attempt, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(160)), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static string PartitionFor(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string RowKeyFor(long sequence) => sequence.ToString("D12", CultureInfo.InvariantCulture);

    internal static TableEntity ToEntity(AuditEntry entry) => new(entry.Partition, RowKeyFor(entry.Sequence))
    {
        ["Sequence"] = entry.Sequence,
        ["Time"] = entry.Time,
        ["Actor"] = entry.Actor,
        ["Action"] = entry.Action,
        ["Target"] = entry.Target,
        ["Outcome"] = entry.Outcome,
        ["CorrelationId"] = entry.CorrelationId,
        ["Details"] = AuditChain.SerializeDetails(entry.Details),
        ["PreviousHash"] = entry.PreviousHash,
        ["Hash"] = entry.Hash,
    };

    internal static AuditEntry FromEntity(TableEntity entity) => new(
        entity.PartitionKey,
        entity.GetInt64("Sequence") ?? -1,
        entity.GetString("Time") ?? "",
        entity.GetString("Actor") ?? "",
        entity.GetString("Action") ?? "",
        entity.GetString("Target") ?? "",
        entity.GetString("Outcome") ?? "",
        entity.GetString("CorrelationId") ?? "",
        AuditChain.DeserializeDetails(entity.GetString("Details")),
        entity.GetString("PreviousHash") ?? "",
        entity.GetString("Hash") ?? "");

    [LoggerMessage(EventId = 3200, Level = LogLevel.Debug, Message = "Audit chain {Partition} contended, attempt {Attempt}")]
    private static partial void LogContended(ILogger logger, string partition, int attempt);
}
