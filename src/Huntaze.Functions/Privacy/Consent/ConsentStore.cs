using System.Globalization;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Privacy.Consent;

/// <summary>
/// Consent records in Table Storage, append-only. A partition is one subject; its records have row keys
/// <c>r</c> + (9,999,999,999 − sequence), so the newest comes first and one single-row query reads the current
/// choice. Appending inserts the next sequence: two writers racing for it conflict, and the loser reads again
/// (<see cref="ConditionalTableWrites"/> recognises its own insert behind a lost response). A user's partition
/// also holds one <c>link-{consentId}</c> row per anonymous consent id linked to them at sign-in.
/// </summary>
public sealed class ConsentStore(StorageClients storage)
{
    public const string UserTable = "consent";
    public const string AnonymousTable = "consentanonymous";
    public const string LinkPrefix = "link-";
    private const string RecordPrefix = "r";
    private const long MaxSeq = 9_999_999_999;
    private static readonly string[] Personal = ["UserId", "LinkedFrom"];

    public async Task<ConsentRecord?> LatestAsync(ConsentKey key, CancellationToken cancellationToken)
    {
        var table = await TableAsync(key, cancellationToken).ConfigureAwait(false);
        await foreach (var row in table.QueryAsync<TableEntity>(RecordsOf(key.Partition), maxPerPage: 1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return ToRecord(row);
        }

        return null;
    }

    /// <summary>Every record, oldest first.</summary>
    public async Task<IReadOnlyList<ConsentRecord>> HistoryAsync(ConsentKey key, CancellationToken cancellationToken)
    {
        var records = new List<ConsentRecord>();
        await foreach (var row in (await TableAsync(key, cancellationToken).ConfigureAwait(false)).QueryAsync<TableEntity>(RecordsOf(key.Partition), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            records.Add(ToRecord(row));
        }

        records.Reverse();
        return records;
    }

    /// <summary>Every row of the partition as stored (records and link rows), for export, erasure and counting.</summary>
    public async Task<IReadOnlyList<TableEntity>> RowsAsync(ConsentKey key, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in (await TableAsync(key, cancellationToken).ConfigureAwait(false)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {key.Partition}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Inserts <paramref name="record"/> (its sequence must be the next), with the user id on a user's record.
    /// False when another writer took the sequence first: nothing was written.
    /// </summary>
    public async Task<bool> AppendAsync(ConsentKey key, ConsentRecord record, string? userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var batch = new TableWriteBatch(key.Partition).Put(ToEntity(key.Partition, record, userId), null);
        return (await (await TableAsync(key, cancellationToken).ConfigureAwait(false)).SubmitAsync(batch, cancellationToken).ConfigureAwait(false)).Committed;
    }

    /// <summary>Records that the anonymous consent id was linked to the user (idempotent: an existing link stays as it is).</summary>
    public async Task LinkAsync(ConsentKey user, string consentId, string userId, DateTimeOffset linkedAt, CancellationToken cancellationToken)
    {
        var table = await TableAsync(user, cancellationToken).ConfigureAwait(false);
        // A conflict means the link row exists already (inserted by another call): the link is recorded either way.
        await table.SubmitAsync(new TableWriteBatch(user.Partition).Put(LinkEntity(user.Partition, consentId, userId, linkedAt), null), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsLinkedAsync(ConsentKey user, string consentId, CancellationToken cancellationToken) =>
        (await (await TableAsync(user, cancellationToken).ConfigureAwait(false))
            .GetEntityIfExistsAsync<TableEntity>(user.Partition, LinkPrefix + consentId, ["RowKey"], cancellationToken).ConfigureAwait(false)).HasValue;

    /// <summary>The anonymous consent ids linked to a user (their link rows).</summary>
    public static IEnumerable<string> LinkedIds(IEnumerable<TableEntity> userRows) =>
        userRows.Where(r => r.RowKey.StartsWith(LinkPrefix, StringComparison.Ordinal)).Select(r => r.RowKey[LinkPrefix.Length..]);

    /// <summary>Rows that still name the person: link rows, and records carrying the user id or a linked consent id.</summary>
    public static bool NamesSubject(TableEntity row) =>
        row.RowKey.StartsWith(LinkPrefix, StringComparison.Ordinal) || Personal.Any(row.ContainsKey);

    /// <summary>
    /// Erasure of a user's partition (Art. 17 with 17(3)(e)): link rows are deleted; records keep the choice, policy,
    /// time, source and user-agent hash under the subject reference, lose the user id and linked consent id, and gain
    /// <c>ErasedAt</c>. Each row is written only if unchanged since read: null means someone wrote meanwhile (read
    /// and try again); otherwise the number of rows changed (0 when already done).
    /// </summary>
    public async Task<int?> PseudonymiseAsync(ConsentKey user, DateTimeOffset erasedAt, CancellationToken cancellationToken)
    {
        var table = await TableAsync(user, cancellationToken).ConfigureAwait(false);
        var rows = (await RowsAsync(user, cancellationToken).ConfigureAwait(false)).Where(NamesSubject).ToList();
        foreach (var chunk in rows.Chunk(TableWriteBatch.MaxActions))
        {
            var batch = new TableWriteBatch(user.Partition);
            foreach (var row in chunk)
            {
                if (row.RowKey.StartsWith(LinkPrefix, StringComparison.Ordinal))
                {
                    batch.Delete(row.RowKey, row.ETag);
                    continue;
                }

                var kept = new TableEntity(row.PartitionKey, row.RowKey);
                foreach (var (name, value) in row.Where(p => !Personal.Contains(p.Key) && p.Key is not "odata.etag" and not "Timestamp" and not TableWriteBatch.WriteIdProperty))
                {
                    kept[name] = value;
                }

                kept["ErasedAt"] = erasedAt;
                batch.Put(kept, row.ETag);
            }

            if (!(await table.SubmitAsync(batch, cancellationToken).ConfigureAwait(false)).Committed)
            {
                return null;
            }
        }

        return rows.Count;
    }

    /// <summary>Deletes every row of the partition, each only if unchanged since read; null on a conflict, else the count.</summary>
    public async Task<int?> DeletePartitionAsync(ConsentKey key, CancellationToken cancellationToken)
    {
        var table = await TableAsync(key, cancellationToken).ConfigureAwait(false);
        var rows = await RowsAsync(key, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in rows.Chunk(TableWriteBatch.MaxActions))
        {
            var batch = new TableWriteBatch(key.Partition);
            foreach (var row in chunk)
            {
                batch.Delete(row.RowKey, row.ETag);
            }

            if (!(await table.SubmitAsync(batch, cancellationToken).ConfigureAwait(false)).Committed)
            {
                return null;
            }
        }

        return rows.Count;
    }

    /// <summary>Anonymous consent ids whose newest record is older than <paramref name="cutoff"/> (a scan of the anonymous table).</summary>
    public async Task<IReadOnlyList<string>> IdleAnonymousAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var table = await storage.GetTableAsync(AnonymousTable, cancellationToken).ConfigureAwait(false);
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RecordedAt"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var at = row.GetDateTimeOffset("RecordedAt") ?? DateTimeOffset.MinValue;
            newest[row.PartitionKey] = newest.TryGetValue(row.PartitionKey, out var seen) && seen > at ? seen : at;
        }

        return [.. newest.Where(p => p.Value < cutoff).Select(p => p.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>Pseudonymised records erased before <paramref name="cutoff"/>, as (partition, row).</summary>
    public async Task<IReadOnlyList<(string Partition, string Row)>> ErasedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var rows = new List<(string, string)>();
        var table = await storage.GetTableAsync(UserTable, cancellationToken).ConfigureAwait(false);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ErasedAt lt {cutoff}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add((row.PartitionKey, row.RowKey));
        }

        return rows;
    }

    public static ConsentRecord ToRecord(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new ConsentRecord(
            row.GetInt32("Seq") ?? 0,
            new ConsentChoice(row.GetBoolean("Analytics") ?? false, row.GetBoolean("Marketing") ?? false, row.GetBoolean("Personalization") ?? false),
            row.GetString("PolicyVersion") ?? "",
            row.GetString("Source") ?? "",
            row.GetDateTimeOffset("RecordedAt") ?? DateTimeOffset.MinValue,
            row.GetString("UserAgentHash"),
            row.GetString("LinkedFrom"));
    }

    public static bool IsRecord(TableEntity row) => row?.RowKey.StartsWith(RecordPrefix, StringComparison.Ordinal) == true;

    private static TableEntity ToEntity(string partition, ConsentRecord record, string? userId)
    {
        var entity = new TableEntity(partition, RecordPrefix + (MaxSeq - record.Seq).ToString("D10", CultureInfo.InvariantCulture))
        {
            ["Seq"] = record.Seq,
            ["Analytics"] = record.Choice.Analytics,
            ["Marketing"] = record.Choice.Marketing,
            ["Personalization"] = record.Choice.Personalization,
            ["PolicyVersion"] = record.PolicyVersion,
            ["Source"] = record.Source,
            ["RecordedAt"] = record.RecordedAt,
            ["UserAgentHash"] = record.UserAgentHash,
        };
        if (userId is not null)
        {
            entity["UserId"] = userId;
        }

        if (record.LinkedFrom is not null)
        {
            entity["LinkedFrom"] = record.LinkedFrom;
        }

        return entity;
    }

    private static TableEntity LinkEntity(string partition, string consentId, string? userId, DateTimeOffset linkedAt) =>
        new(partition, LinkPrefix + consentId) { ["UserId"] = userId, ["LinkedAt"] = linkedAt };

    private static string RecordsOf(string partition) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {RecordPrefix} and RowKey lt {"s"}");

    private Task<TableClient> TableAsync(ConsentKey key, CancellationToken cancellationToken) => storage.GetTableAsync(key.Table, cancellationToken);
}
