using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Microsoft.AspNetCore.WebUtilities;

namespace Huntaze.Functions.Security.Audit;

public sealed record AuditQuery(string? Actor, string? Target, DateTimeOffset From, DateTimeOffset To, int PageSize, string? ContinuationToken);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, string? ContinuationToken);

/// <summary>Reads the audit table: filtered pages for <c>GET /api/admin/audit</c> and chain verification.</summary>
public sealed class AuditReader(StorageClients storage, IAuditProtector protector, AuditDetailsBlobs blobs)
{
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var table = await storage.GetTableAsync(TableAuditLog.TableName, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {TableAuditLog.PartitionFor(query.From)} and PartitionKey le {TableAuditLog.PartitionFor(query.To)} and RowKey lt {TableAuditLog.HeadRowKey} and Time ge {Iso(query.From)} and Time le {Iso(query.To)}");
        // Stored ids are protected: search for the protected form (none: nothing stored can match).
        foreach (var (property, value) in new[] { ("Actor", query.Actor), ("Target", query.Target) })
        {
            if (value is null)
            {
                continue;
            }

            if (await protector.ProtectSearchAsync(property, value, cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                return new AuditPage([], null);
            }

            filter += $" and {property} eq " + TableClient.CreateQueryFilter($"{stored}");
        }

        var page = await PageTokens.FirstPageAsync(table.QueryAsync<TableEntity>(filter, query.PageSize, cancellationToken: cancellationToken), query.PageSize, query.ContinuationToken).ConfigureAwait(false);
        var items = new List<AuditEntry>(page.Items.Count);
        foreach (var entity in page.Items)
        {
            items.Add(await protector.RevealAsync(await ReadStoredAsync(entity, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false));
        }

        return new AuditPage(items, page.ContinuationToken);
    }

    /// <summary>Verifies every day's chain from <paramref name="from"/> to <paramref name="to"/>, stopping at the first broken link.</summary>
    public async Task<AuditVerification> VerifyAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableAuditLog.TableName, cancellationToken).ConfigureAwait(false);
        var partitions = 0;
        long entries = 0;
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var partition = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var rows = new List<AuditEntry>();
            AuditChainHead? head = null;
            AuditBrokenLink? unreadable = null;
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (entity.RowKey == TableAuditLog.HeadRowKey)
                {
                    head = new AuditChainHead(entity.GetInt64("Sequence") ?? 0, entity.GetString("Hash") ?? "");
                    continue;
                }

                var (details, problem) = await DetailsAsync(entity, cancellationToken).ConfigureAwait(false);
                var entry = TableAuditLog.FromEntity(entity, details);
                unreadable ??= problem is null ? null : new AuditBrokenLink(partition, entry.Sequence, problem);
                rows.Add(entry);
            }

            if (rows.Count == 0 && head is null)
            {
                continue;
            }

            partitions++;
            var broken = AuditChain.VerifyPartition(partition, rows, head, out var checkedCount);
            entries += checkedCount;
            // A chain link broken earlier than the unreadable details is the first broken link.
            if (unreadable is not null && (broken is null || broken.Sequence >= unreadable.Sequence))
            {
                broken = unreadable;
            }

            if (broken is not null)
            {
                return new AuditVerification(false, partitions, entries, broken);
            }
        }

        return new AuditVerification(true, partitions, entries, null);
    }

    /// <summary>A stored row as an entry, its details resolved (inline or spilled), ids left as stored (protected).</summary>
    public async Task<AuditEntry> ReadStoredAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return TableAuditLog.FromEntity(entity, (await DetailsAsync(entity, cancellationToken).ConfigureAwait(false)).Details);
    }

    /// <summary>The entry's details, inline or from their blob; the reason when they cannot be read (an empty map then, which fails the hash).</summary>
    private async Task<(IReadOnlyDictionary<string, string?> Details, string? Problem)> DetailsAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        var blob = entity.GetString("DetailsBlob");
        var json = blob is null ? entity.GetString("Details") : await blobs.LoadAsync(blob, cancellationToken).ConfigureAwait(false);
        if (blob is not null && json is null)
        {
            return (new Dictionary<string, string?>(), $"details blob {blob} is missing");
        }

        try
        {
            return (AuditChain.DeserializeDetails(json), null);
        }
        catch (JsonException)
        {
            return (new Dictionary<string, string?>(), "details are not readable (entry edited)");
        }
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>The SDK's continuation token (next partition and row keys), wrapped so that clients treat it as opaque.</summary>
internal static class PageTokens
{
    public static async Task<(IReadOnlyList<T> Items, string? ContinuationToken)> FirstPageAsync<T>(Azure.AsyncPageable<T> query, int pageSize, string? token)
        where T : notnull
    {
        try
        {
            await foreach (var page in query.AsPages(Decode(token), pageSize).ConfigureAwait(false))
            {
                return (page.Values, Encode(page.ContinuationToken));
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status is 400 && token is not null)
        {
            // Storage refuses keys no page of ours ended at: the token was made up.
            throw Invalid();
        }

        return ([], null);
    }

    private static string? Encode(string? token) =>
        token is null ? null : WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    private static string? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
        }
        catch (FormatException)
        {
            throw Invalid();
        }
    }

    private static Platform.Http.ProblemException Invalid() =>
        Platform.Http.Problems.Validation(
            new Dictionary<string, string[]> { ["continuation"] = ["Not a token this API issued."] }, "The continuation token is not valid.");
}
