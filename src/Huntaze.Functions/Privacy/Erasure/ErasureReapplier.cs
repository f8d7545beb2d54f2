using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Subjects;

namespace Huntaze.Functions.Privacy.Erasure;

/// <summary>
/// Re-applies the erasure ledger to tables restored from a backup, driven by the data map alone (so it
/// works on side tables under another prefix, where the app's stores are not wired): per table that
/// backups include, it finds subjects the way the map says (partition = user id or subject reference,
/// user ids inside flag documents) and erases those erased after the backup was taken. Audit entries need
/// nothing: their subjects' keys are deleted with <c>subjectkeys</c>.
/// </summary>
public sealed class ErasureReapplier(IErasureLedger ledger, SubjectReferences references, DataMap map) : IErasureReapplier
{
    public async Task<ReapplyReport> ReapplyAsync(StorageClients storage, DateTimeOffset dataAsOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var entries = new List<ErasureLedgerEntry>();
        await foreach (var entry in ledger.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        var erased = entries.Where(e => e.ErasedAt > dataAsOf).Select(e => e.SubjectRef).ToHashSet(StringComparer.Ordinal);
        var hash = await references.HasherAsync(cancellationToken).ConfigureAwait(false);
        var report = new Dictionary<string, int>(StringComparer.Ordinal);
        if (erased.Count == 0)
        {
            return new ReapplyReport(entries.Count, report);
        }

        foreach (var (store, logical) in await map.ListTablesAsync(storage, cancellationToken).ConfigureAwait(false))
        {
            if (!store.Backup.Included)
            {
                continue;
            }

            var table = storage.TableService.GetTableClient(storage.TableName(logical));
            report[store.Key] = store.Locator switch
            {
                SubjectLocator.PartitionKey => await ErasePartitionsAsync(table, p => erased.Contains(hash(p)), Delete, cancellationToken).ConfigureAwait(false),
                SubjectLocator.SubjectReference when store.Name == PrivacyStores.Ledger => 0,
                SubjectLocator.SubjectReference when store.Name == PrivacyStores.SubjectKeys => await ErasePartitionsAsync(table, erased.Contains, DeleteKey, cancellationToken).ConfigureAwait(false),
                SubjectLocator.SubjectReference => await ErasePartitionsAsync(table, erased.Contains, store.Erasure.Action == ErasureAction.Pseudonymise ? Pseudonymise(store) : Delete, cancellationToken).ConfigureAwait(false),
                SubjectLocator.InsideDocument when store.Name == TableFlagStore.TableName => await EraseFromFlagsAsync(new TableFlagStore(storage), u => erased.Contains(hash(u)), cancellationToken).ConfigureAwait(false),
                _ => 0,
            };
        }

        return new ReapplyReport(entries.Count, report);
    }

    private static readonly Func<TableClient, TableEntity, CancellationToken, Task> Delete = (table, row, ct) =>
        table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct);

    /// <summary>A subject's key row, and the row that finds the same key by its id.</summary>
    private static readonly Func<TableClient, TableEntity, CancellationToken, Task> DeleteKey = async (table, row, ct) =>
    {
        if (row.GetString("KeyId") is { } keyId)
        {
            await table.DeleteEntityAsync(keyId, SubjectKeys.ById, ETag.All, ct).ConfigureAwait(false);
        }

        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct).ConfigureAwait(false);
    };

    /// <summary>Replaces the row without its identifier and personal fields (keys stay; the row's evidence remains).</summary>
    private static Func<TableClient, TableEntity, CancellationToken, Task> Pseudonymise(StoreDeclaration store)
    {
        var personal = store.Fields.Where(f => f.Class is FieldClass.Identifier or FieldClass.Personal && f.Name is not ("PartitionKey" or "RowKey")).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return (table, row, ct) =>
        {
            var kept = new TableEntity(row.PartitionKey, row.RowKey);
            foreach (var (name, value) in row.Where(p => !personal.Contains(p.Key) && p.Key is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey")))
            {
                kept[name] = value;
            }

            return table.UpdateEntityAsync(kept, row.ETag, TableUpdateMode.Replace, ct);
        };
    }

    /// <summary>Every row of every matching partition; returns how many partitions (subjects) were erased.</summary>
    private static async Task<int> ErasePartitionsAsync(TableClient table, Func<string, bool> matches, Func<TableClient, TableEntity, CancellationToken, Task> erase, CancellationToken cancellationToken)
    {
        var subjects = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!matches(row.PartitionKey))
            {
                continue;
            }

            try
            {
                await erase(table, row, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Changed or gone since listed: a restore is offline, so this is a re-run; the next run finds it.
            }

            subjects.Add(row.PartitionKey);
        }

        return subjects.Count;
    }

    /// <summary>Through the flag store over the restored tables (documents may be split over several properties).</summary>
    private static async Task<int> EraseFromFlagsAsync(TableFlagStore flags, Func<string, bool> erased, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var document in await flags.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (document.Flag?.Targeting is null)
            {
                continue;
            }

            var named = document.Flag.Conditions.OfType<TargetingCondition>().SelectMany(c => c.Audience.Users.Concat(c.Audience.ExcludedUsers)).Where(erased).Distinct().ToList();
            var text = document.Text;
            FeatureFlag? cleaned = null;
            foreach (var user in named)
            {
                cleaned = Handlers.FlagTargetingHandler.Without(text, document.Name, user) ?? cleaned;
                text = cleaned is null ? text : FlagDocument.Serialize(cleaned);
            }

            if (cleaned is not null)
            {
                await flags.SaveAsync(cleaned, document.Tags, FlagWriteCondition.Matching(document.ETag), cancellationToken).ConfigureAwait(false);
                removed += named.Count;
            }
        }

        return removed;
    }
}
