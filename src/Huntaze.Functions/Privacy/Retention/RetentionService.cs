using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Privacy.Workflow;
using Huntaze.Functions.Security.Audit;
using Huntaze.Functions.Security.Audit.Denials;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy.Retention;

/// <summary>What retention would remove (or removed) in one store: the rule, the cutoff and the items by key.</summary>
public sealed record RetentionStorePlan(string Store, string Rule, DateTimeOffset Cutoff, string Action, IReadOnlyList<string> Items);

public sealed record RetentionPlan(DateTimeOffset AsOf, IReadOnlyList<RetentionStorePlan> Stores)
{
    public int Total => Stores.Sum(s => s.Items.Count);
}

/// <summary>
/// Applies the data map's retention rules. <see cref="PlanAsync"/> only reads (the preview endpoint); <see cref="RunAsync"/>
/// computes the same plan and carries it out in batches, then audits the counts. Rate-limit day tables
/// expire through their own timer (RateLimitCleanup); everything else with a period is here.
/// </summary>
public sealed class RetentionService(
    StorageClients storage,
    DataMap map,
    IProgressStore progress,
    RequestStore requests,
    ConsentStore consent,
    ExportBlobs exports,
    IAuditLog audit,
    OrchestrationPurge orchestrations,
    DenialStore denials,
    AuditDetailsBlobs auditDetails,
    IOptions<PrivacyOptions> options,
    TimeProvider time)
{
    public async Task<RetentionPlan> PlanAsync(DurableTaskClient? durable, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var periods = options.Value.Retention;
        var stores = new List<RetentionStorePlan>
        {
            await CompletedProgressAsync(now.AddDays(-periods.CompletedProgressDays), cancellationToken).ConfigureAwait(false),
            await ExportsAsync(now, cancellationToken).ConfigureAwait(false),
            await ClosedRequestsAsync(now.AddDays(-periods.ClosedRequestDays), cancellationToken).ConfigureAwait(false),
            await LedgerAsync(now.AddDays(-periods.LedgerDays), cancellationToken).ConfigureAwait(false),
            await AuditDaysAsync(now.AddDays(-periods.AuditDays), cancellationToken).ConfigureAwait(false),
            await DenialMinutesAsync(now.AddDays(-periods.DenialDays), cancellationToken).ConfigureAwait(false),
            new(ConsentStore.AnonymousTable, "anonymous consent id whose last choice is older than the period", now.AddDays(-periods.AnonymousConsentDays), "delete the partition",
                await consent.IdleAnonymousAsync(now.AddDays(-periods.AnonymousConsentDays), cancellationToken).ConfigureAwait(false)),
            new(ConsentStore.UserTable, "pseudonymised consent record erased longer than the period ago", now.AddDays(-periods.ErasedConsentDays), "delete the record",
                [.. (await consent.ErasedBeforeAsync(now.AddDays(-periods.ErasedConsentDays), cancellationToken).ConfigureAwait(false)).Select(r => r.Partition + "/" + r.Row)]),
        };
        if (durable is not null)
        {
            stores.Add(await OrchestrationsAsync(durable, cancellationToken).ConfigureAwait(false));
        }

        return new RetentionPlan(now, stores);
    }

    /// <summary>Carries out the plan computed now; returns it with the items actually removed.</summary>
    public async Task<RetentionPlan> RunAsync(DurableTaskClient? durable, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(durable, cancellationToken).ConfigureAwait(false);
        var done = new List<RetentionStorePlan>();
        foreach (var store in plan.Stores)
        {
            var removed = store.Store switch
            {
                HuntazeDataMap.OnboardingProgress => await DeleteProgressAsync(store.Items, cancellationToken).ConfigureAwait(false),
                "blob:" + PrivacyStores.Exports => await DeleteBlobsAsync(store.Items, cancellationToken).ConfigureAwait(false),
                PrivacyStores.Requests => await DeleteRequestsAsync(store.Items, store.Cutoff, cancellationToken).ConfigureAwait(false),
                PrivacyStores.Ledger => await DeleteRowsAsync(PrivacyStores.Ledger, store.Items.Select(i => (Erasure.TableErasureLedger.Partition, i)), cancellationToken).ConfigureAwait(false),
                TableAuditLog.TableName => await DeleteAuditDaysAsync(store.Items, cancellationToken).ConfigureAwait(false),
                DenialStore.TableName => await DeletePartitionsAsync(DenialStore.TableName, store.Items, cancellationToken).ConfigureAwait(false),
                ConsentStore.AnonymousTable => await DeleteIdleConsentAsync(store.Items, store.Cutoff, cancellationToken).ConfigureAwait(false),
                ConsentStore.UserTable => await DeleteErasedConsentAsync(store.Items, cancellationToken).ConfigureAwait(false),
                HuntazeDataMap.TaskHub => await PurgeOrchestrationsAsync(durable!, store, cancellationToken).ConfigureAwait(false),
                _ => [],
            };
            PrivacyMetrics.Retained(store.Store, removed.Count);
            done.Add(store with { Items = removed });
        }

        var report = new RetentionPlan(plan.AsOf, done);
        await audit.AppendAsync(new AuditRecord(AuditRecord.System, "privacy.retention.completed", "data-map", "succeeded", "retention-" + plan.AsOf.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
            done.ToDictionary(s => s.Store, s => (string?)s.Items.Count.ToString(CultureInfo.InvariantCulture))), cancellationToken).ConfigureAwait(false);
        return report;
    }

    private async Task<RetentionStorePlan> CompletedProgressAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(map.NameOf(HuntazeDataMap.OnboardingProgress), cancellationToken).ConfigureAwait(false);
        var users = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>($"{Onboarding.Progress.ProgressEntities.AllGuides} and {TableClient.CreateQueryFilter($"CompletedAt lt {cutoff}")}", select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            users.Add(row.PartitionKey);
        }

        return new(HuntazeDataMap.OnboardingProgress, "completed guide older than the period", cutoff, "delete the user's partition", users);
    }

    private async Task<RetentionStorePlan> ExportsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Archives past their expiry; parts of an export that never finished, a day after they were written.
        var names = (await exports.ListAllAsync(cancellationToken).ConfigureAwait(false))
            .Where(b => b.ExpiresAt is { } expires ? expires <= now : b.LastModified < now.AddDays(-1))
            .Select(b => b.Name)
            .ToList();
        return new("blob:" + PrivacyStores.Exports, "export past its expiry", now, "delete the blob", names);
    }

    private async Task<RetentionStorePlan> ClosedRequestsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        new(PrivacyStores.Requests, "request closed longer than the period", cutoff, "delete the row",
            [.. (await requests.ListClosedBeforeAsync(cutoff, cancellationToken).ConfigureAwait(false)).Select(r => r.Id)]);

    private async Task<RetentionStorePlan> LedgerAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(PrivacyStores.Ledger, cancellationToken).ConfigureAwait(false);
        var rows = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Erasure.TableErasureLedger.Partition} and ErasedAt lt {cutoff}"), select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row.RowKey);
        }

        return new(PrivacyStores.Ledger, "erasure older than the oldest backup", cutoff, "delete the entry", rows);
    }

    private async Task<RetentionStorePlan> AuditDaysAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableAuditLog.TableName, cancellationToken).ConfigureAwait(false);
        var days = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {TableAuditLog.PartitionFor(cutoff)}"), select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            days.Add(row.PartitionKey);
        }

        return new(TableAuditLog.TableName, "whole days older than the period (each day's chain goes as a unit)", cutoff, "delete the day", [.. days]);
    }

    /// <summary>The task hub's rule is the platform's (<see cref="OrchestrationPurge"/>, <c>Orchestrations:RetentionDays</c>).</summary>
    private async Task<RetentionStorePlan> OrchestrationsAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var (cutoff, ids) = (orchestrations.Cutoff(), (IReadOnlyList<string>)[]);
        try
        {
            (cutoff, ids) = await orchestrations.ExpiredAsync(durable, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or Grpc.Core.RpcException)
        {
            // The in-memory engine (benchmarks' "before" column) has no history queries; the Azure Storage provider does.
        }

        return new(HuntazeDataMap.TaskHub, "instance ended longer than the period ago", cutoff, "purge the instance's history", ids);
    }

    private async Task<IReadOnlyList<string>> DeleteProgressAsync(IReadOnlyList<string> users, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var user in users)
        {
            // Re-read through the store and delete conditionally: a guide that is no longer completed stays.
            var deleted = await progress.UpdateAsync(
                user,
                snapshot => snapshot.State.Value.CompletedAt is null ? ProgressDecision.Unchanged(0) : Handlers.ProgressHandler.Remove(snapshot),
                cancellationToken).ConfigureAwait(false);
            if (deleted > 0)
            {
                removed.Add(user);
            }
        }

        return removed;
    }

    private async Task<IReadOnlyList<string>> DeleteBlobsAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var name in names)
        {
            if (await exports.DeleteAsync(name, cancellationToken).ConfigureAwait(false))
            {
                removed.Add(name);
            }
        }

        return removed;
    }

    private async Task<IReadOnlyList<string>> DeleteRequestsAsync(IReadOnlyList<string> ids, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var id in ids)
        {
            if (await requests.GetAsync(id, cancellationToken).ConfigureAwait(false) is { ClosedAt: { } closed } request && closed < cutoff &&
                await requests.DeleteAsync(request, cancellationToken).ConfigureAwait(false))
            {
                removed.Add(id);
            }
        }

        return removed;
    }

    private async Task<RetentionStorePlan> DenialMinutesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        new(DenialStore.TableName, "minutes of refusals older than the period", cutoff, "delete the minute",
            await denials.MinutesBeforeAsync(cutoff, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Whole audit days, and the details blobs (audit-details) their entries spilled. A blob is named by its content,
    /// which holds the entry's changeId or trace id, so no entry of a later day refers to it.
    /// </summary>
    private async Task<IReadOnlyList<string>> DeleteAuditDaysAsync(IReadOnlyList<string> days, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableAuditLog.TableName, cancellationToken).ConfigureAwait(false);
        foreach (var day in days)
        {
            var blobs = new List<string>();
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {day} and DetailsBlob ge {""}"), select: ["DetailsBlob"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (row.GetString("DetailsBlob") is { } name)
                {
                    blobs.Add(name);
                }
            }

            // Rows first: a run stopped half-way leaves an orphaned blob (harmless), never an entry without its details.
            await DeletePartitionsAsync(TableAuditLog.TableName, [day], cancellationToken).ConfigureAwait(false);
            foreach (var blob in blobs.Distinct(StringComparer.Ordinal))
            {
                await auditDetails.DeleteAsync(blob, cancellationToken).ConfigureAwait(false);
            }
        }

        return days;
    }

    /// <summary>Deletes whole partitions of a table (an audit day, a minute of denials).</summary>
    private async Task<IReadOnlyList<string>> DeletePartitionsAsync(string logicalTable, IReadOnlyList<string> partitions, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(logicalTable, cancellationToken).ConfigureAwait(false);
        foreach (var partition in partitions)
        {
            var rows = new List<(string, string)>();
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                rows.Add((row.PartitionKey, row.RowKey));
            }

            await DeleteRowsAsync(logicalTable, rows, cancellationToken).ConfigureAwait(false);
        }

        return partitions;
    }

    /// <summary>Re-reads each visitor's latest choice: one who chose again since the plan keeps everything.</summary>
    private async Task<IReadOnlyList<string>> DeleteIdleConsentAsync(IReadOnlyList<string> ids, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var id in ids)
        {
            var key = ConsentKey.Anonymous(id);
            if (await consent.LatestAsync(key, cancellationToken).ConfigureAwait(false) is { } latest && latest.RecordedAt < cutoff &&
                await consent.DeletePartitionAsync(key, cancellationToken).ConfigureAwait(false) is not null)
            {
                removed.Add(id);
            }
        }

        return removed;
    }

    /// <summary>Pseudonymised records are never written again, so the unconditional batch delete fits them.</summary>
    private async Task<IReadOnlyList<string>> DeleteErasedConsentAsync(IReadOnlyList<string> items, CancellationToken cancellationToken)
    {
        var rows = items.Select(i => i.Split('/', 2)).Select(p => (Partition: p[0], Row: p[1])).ToList();
        await DeleteRowsAsync(ConsentStore.UserTable, rows, cancellationToken).ConfigureAwait(false);
        return items;
    }

    private static async Task<IReadOnlyList<string>> PurgeOrchestrationsAsync(DurableTaskClient durable, RetentionStorePlan store, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var id in store.Items)
        {
            var result = await durable.PurgeInstanceAsync(id, cancellation: cancellationToken).ConfigureAwait(false);
            if (result.PurgedInstanceCount > 0)
            {
                removed.Add(id);
            }
        }

        return removed;
    }

    /// <summary>
    /// Deletes rows in entity-group batches (same partition, at most the batch size each); already gone is
    /// fine. Unconditional (<c>ETag.All</c>) on purpose: these rows are past retention and never written
    /// again (ledger entries and audit entries are insert-only; a day's audit head is last written that day; a denial minute is last written a few flushes after it ends).
    /// </summary>
    private async Task<IReadOnlyList<string>> DeleteRowsAsync(string logicalTable, IEnumerable<(string Partition, string Row)> rows, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(logicalTable, cancellationToken).ConfigureAwait(false);
        var removed = new List<string>();
        foreach (var partition in rows.GroupBy(r => r.Partition, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(options.Value.RetentionBatchSize))
            {
                try
                {
                    await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.Partition, r.Row), ETag.All)), cancellationToken).ConfigureAwait(false);
                }
                catch (TableTransactionFailedException e) when (e.Status == 404)
                {
                    // Part of the batch was deleted already (a run that stopped half-way): delete one by one.
                    foreach (var (p, r) in batch)
                    {
                        await table.DeleteEntityAsync(p, r, ETag.All, cancellationToken).ConfigureAwait(false);
                    }
                }

                removed.AddRange(batch.Select(r => r.Row));
            }
        }

        return removed;
    }
}
