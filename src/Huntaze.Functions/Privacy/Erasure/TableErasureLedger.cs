using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Privacy.Erasure;

/// <summary>
/// The ledger in table <c>erasureledger</c>: one partition, row key <c>{subjectRef}_{requestId}</c>, so a
/// subject's entries are one range query and re-recording a request (an activity run twice) is a 409
/// that changes nothing. Rows are inserted, never updated.
/// </summary>
public sealed class TableErasureLedger(StorageClients storage) : IErasureLedger
{
    public const string Partition = "ledger";

    public async Task RecordAsync(ErasureLedgerEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(Partition, RowKey(entry.SubjectRef, entry.RequestId))
                {
                    ["SubjectRef"] = entry.SubjectRef,
                    ["ErasedAt"] = entry.ErasedAt,
                    ["RequestId"] = entry.RequestId,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already recorded (this request's earlier attempt committed): the ledger holds it once.
        }
    }

    public async Task<IReadOnlyList<ErasureLedgerEntry>> FindAsync(string subjectRef, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var from = subjectRef + "_";
        var to = subjectRef + "`"; // '`' sorts right after '_'
        var found = new List<ErasureLedgerEntry>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey gt {from} and RowKey lt {to}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(ToEntry(entity));
        }

        return [.. found.OrderBy(e => e.ErasedAt)];
    }

    public async IAsyncEnumerable<ErasureLedgerEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return ToEntry(entity);
        }
    }

    public static string RowKey(string subjectRef, string requestId) => subjectRef + "_" + requestId;

    private static ErasureLedgerEntry ToEntry(TableEntity entity) =>
        new(entity.GetString("SubjectRef") ?? "", entity.GetDateTimeOffset("ErasedAt") ?? DateTimeOffset.MinValue, entity.GetString("RequestId") ?? "");

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(PrivacyStores.Ledger, cancellationToken);
}
