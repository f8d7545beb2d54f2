using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;

namespace Huntaze.Functions.Security.Audit.Denials;

public sealed record DenialQuery(string? Client, DateTimeOffset From, DateTimeOffset To, int PageSize, string? ContinuationToken);

/// <summary>One stored row of the denial stream: a client's refusals in one UTC minute as counted by one instance.</summary>
public sealed record DenialView(
    string Minute,
    string Client,
    long Total,
    IReadOnlyDictionary<string, long> ByAction,
    IReadOnlyList<string> Functions,
    string FirstAt,
    string LastAt,
    string FirstCorrelationId,
    string LastCorrelationId,
    string? LastReason,
    string Instance);

public sealed record DenialPage(IReadOnlyList<DenialView> Items, string? ContinuationToken);

/// <summary>
/// Table <c>auditdenials</c>, apart from the admin chain: partition = UTC minute (<c>yyyyMMddHHmm</c>),
/// row = client hash + instance id. Each row has exactly one writer (the instance in its key) and carries
/// cumulative totals, so a write is an unconditional upsert: idempotent when retried, and no read first.
/// A minute's rows share a partition, so one flush writes them in entity-group transactions of up to 100.
/// </summary>
public sealed class DenialStore(StorageClients storage)
{
    public const string TableName = "auditdenials";
    private const int MaxBatch = 100;
    private const string ActionPrefix = "Count_";

    public async Task WriteAsync(IReadOnlyList<DenialRow> rows, string instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var table = await storage.GetTableAsync(TableName, cancellationToken).ConfigureAwait(false);
        foreach (var minute in rows.GroupBy(r => r.Minute))
        {
            foreach (var chunk in minute.Chunk(MaxBatch))
            {
                var actions = chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r, instance))).ToList();
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<DenialPage> QueryAsync(DenialQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var table = await storage.GetTableAsync(TableName, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {PartitionFor(query.From)} and PartitionKey le {PartitionFor(query.To)}");
        if (query.Client is { } client)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Client eq {client}");
        }

        var page = await PageTokens.FirstPageAsync(table.QueryAsync<TableEntity>(filter, query.PageSize, cancellationToken: cancellationToken), query.PageSize, query.ContinuationToken).ConfigureAwait(false);
        return new DenialPage([.. page.Items.Select(FromEntity)], page.ContinuationToken);
    }

    /// <summary>Every row of one client (e.g. <c>user:{id}</c>), all minutes: a filtered scan (privacy export, erasure, verification).</summary>
    public async Task<IReadOnlyList<DenialView>> FindClientAsync(string client, CancellationToken cancellationToken) =>
        [.. (await ClientRowsAsync(client, cancellationToken).ConfigureAwait(false)).Select(FromEntity)];

    /// <summary>Deletes every row of one client (erasure); a row rewritten meanwhile (412) or gone (404) is left to the verification scan.</summary>
    public async Task<int> DeleteClientAsync(string client, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableName, cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        foreach (var row in await ClientRowsAsync(client, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
            catch (Azure.RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Gone already, or counted again this instant.
            }
        }

        return deleted;
    }

    /// <summary>The minutes (partitions) before <paramref name="cutoff"/> (retention).</summary>
    public async Task<IReadOnlyList<string>> MinutesBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableName, cancellationToken).ConfigureAwait(false);
        var minutes = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {PartitionFor(cutoff)}"), select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            minutes.Add(row.PartitionKey);
        }

        return [.. minutes];
    }

    private async Task<List<TableEntity>> ClientRowsAsync(string client, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableName, cancellationToken).ConfigureAwait(false);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Client eq {client}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    public static string PartitionFor(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    /// <summary>Client strings hold addresses and user ids: hashed into the key (fixed length, always a valid key), kept in clear in <c>Client</c>.</summary>
    internal static string RowKeyFor(string client, string instance) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(client)))[..32] + "-" + instance;

    private static TableEntity ToEntity(DenialRow row, string instance)
    {
        var minute = DateTimeOffset.FromUnixTimeSeconds(row.Minute * 60);
        var entity = new TableEntity(PartitionFor(minute), RowKeyFor(row.Client, instance))
        {
            ["Minute"] = Iso(minute),
            ["Client"] = row.Client,
            ["Total"] = row.Total,
            ["Functions"] = string.Join(',', row.Functions),
            ["FirstAt"] = Iso(row.FirstAt),
            ["LastAt"] = Iso(row.LastAt),
            ["FirstCorrelationId"] = row.FirstCorrelationId,
            ["LastCorrelationId"] = row.LastCorrelationId,
            ["LastReason"] = row.LastReason,
            ["Instance"] = instance,
        };
        foreach (var (action, count) in row.ByAction)
        {
            entity[ActionProperty(action)] = count;
        }

        return entity;
    }

    private static DenialView FromEntity(TableEntity entity)
    {
        var byAction = entity.Keys.Where(k => k.StartsWith(ActionPrefix, StringComparison.Ordinal))
            .ToDictionary(k => "access." + k[ActionPrefix.Length..].ToLowerInvariant(), k => entity.GetInt64(k) ?? 0, StringComparer.Ordinal);
        return new DenialView(
            entity.GetString("Minute") ?? "",
            entity.GetString("Client") ?? "",
            entity.GetInt64("Total") ?? 0,
            byAction,
            (entity.GetString("Functions") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
            entity.GetString("FirstAt") ?? "",
            entity.GetString("LastAt") ?? "",
            entity.GetString("FirstCorrelationId") ?? "",
            entity.GetString("LastCorrelationId") ?? "",
            entity.GetString("LastReason"),
            entity.GetString("Instance") ?? "");
    }

    /// <summary><c>access.unauthenticated</c> → <c>Count_Unauthenticated</c> (property names allow letters, digits and '_').</summary>
    private static string ActionProperty(string action)
    {
        var name = action.StartsWith("access.", StringComparison.Ordinal) ? action["access.".Length..] : action;
        return ActionPrefix + string.Concat(name.Where(char.IsAsciiLetterOrDigit).Select((c, i) => i == 0 ? char.ToUpperInvariant(c) : c));
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
