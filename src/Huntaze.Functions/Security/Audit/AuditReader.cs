using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Microsoft.AspNetCore.WebUtilities;

namespace Huntaze.Functions.Security.Audit;

public sealed record AuditQuery(string? Actor, string? Target, DateTimeOffset From, DateTimeOffset To, int PageSize, string? ContinuationToken);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, string? ContinuationToken);

/// <summary>Reads the audit table: filtered pages for <c>GET /api/admin/audit</c> and chain verification.</summary>
public sealed class AuditReader(StorageClients storage)
{
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var table = await storage.GetTableAsync(TableAuditLog.TableName, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {TableAuditLog.PartitionFor(query.From)} and PartitionKey le {TableAuditLog.PartitionFor(query.To)} and RowKey lt {TableAuditLog.HeadRowKey} and Time ge {Iso(query.From)} and Time le {Iso(query.To)}");
        if (query.Actor is { } actor)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Actor eq {actor}");
        }

        if (query.Target is { } target)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Target eq {target}");
        }

        var pages = table.QueryAsync<TableEntity>(filter, query.PageSize, cancellationToken: cancellationToken)
            .AsPages(DecodeToken(query.ContinuationToken), query.PageSize);
        try
        {
            await foreach (var page in pages.ConfigureAwait(false))
            {
                return new AuditPage([.. page.Values.Select(TableAuditLog.FromEntity)], EncodeToken(page.ContinuationToken));
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status is 400 && query.ContinuationToken is not null)
        {
            // Storage refuses keys no page of ours ended at: the token was made up.
            throw InvalidToken();
        }

        return new AuditPage([], null);
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
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (entity.RowKey == TableAuditLog.HeadRowKey)
                {
                    head = new AuditChainHead(entity.GetInt64("Sequence") ?? 0, entity.GetString("Hash") ?? "");
                }
                else
                {
                    rows.Add(TableAuditLog.FromEntity(entity));
                }
            }

            if (rows.Count == 0 && head is null)
            {
                continue;
            }

            partitions++;
            var broken = AuditChain.VerifyPartition(partition, rows, head, out var checkedCount);
            entries += checkedCount;
            if (broken is not null)
            {
                return new AuditVerification(false, partitions, entries, broken);
            }
        }

        return new AuditVerification(true, partitions, entries, null);
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    // The SDK's token holds the next partition and row keys; it is wrapped so clients treat it as opaque.
    private static string? EncodeToken(string? token) =>
        token is null ? null : WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    private static string? DecodeToken(string? token)
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
            throw InvalidToken();
        }
    }

    private static Platform.Http.ProblemException InvalidToken() =>
        Platform.Http.Problems.Validation(
            new Dictionary<string, string[]> { ["continuation"] = ["Not a token this API issued."] }, "The continuation token is not valid.");
}
