using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Backups.Run;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Erasure;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Security.Audit;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Backups.Restore;

/// <summary>The work of a restore, one method per activity of <see cref="RestoreOrchestration"/>; each is idempotent.</summary>
public sealed class RestoreService(
    StorageClients storage,
    DataMap map,
    BackupCatalog catalog,
    BackupService backups,
    RestoreState state,
    IFlagStore flags,
    IFlagPublisher publisher,
    IErasureReapplier reapplier,
    IAuditLog audit,
    IOptions<BackupOptions> options,
    TimeProvider time)
{
    /// <summary>How far before a backup's start the journal is replayed (clocks of instances differ a little).</summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(1);

    /// <summary>The mode of a restorable table (by effective logical name).</summary>
    public string ModeOf(string table) =>
        table == BackupStores.Flags ? RestoreModes.FlagStore
        : table == map.NameOf(HuntazeDataMap.OnboardingProgress) ? RestoreModes.Replace
        : RestoreModes.Additive;

    /// <summary>The journal mode of a restorable table.</summary>
    public JournalMode JournalOf(string table) =>
        map.Stores.FirstOrDefault(s => s.Kind == StoreKind.Table && map.NameOf(s.Key) == table) is { } store ? JournalPlacement.Of(store.Name) : JournalMode.None;

    /// <summary>Checks every file the restore will read, before anything is written: a corrupt file fails the whole restore.</summary>
    public async Task<RestorePlan> PrepareAsync(RestoreInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var date = BackupCatalog.Parse(input.Backup);
        var found = await catalog.GetAsync(date, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return new RestorePlan([], default, default, $"The backup of {input.Backup} no longer exists.");
        }

        var manifest = found.Value.Manifest;
        var files = input.Tables.Select(t => manifest.File(t)!).ToList();
        // Bytes identical to the manifest's hash pass at once; any other file gets the full check, which says what is wrong.
        var container = await catalog.ContainerAsync(cancellationToken).ConfigureAwait(false);
        var suspect = new List<BackupFile>();
        foreach (var file in files)
        {
            if (!await BackupFiles.BytesMatchAsync(container.GetBlobClient(file.Blob), file, cancellationToken).ConfigureAwait(false))
            {
                suspect.Add(file);
            }
        }

        var checks = suspect.Count == 0 ? [] : await backups.CheckAsync(manifest, suspect, cancellationToken).ConfigureAwait(false);
        var failures = checks.Where(c => !c.Passed).Select(c => c.Failure!).ToList();
        if (failures.Count > 0)
        {
            // Record it on the manifest (metric and audit entry included), so listings and the next run see it.
            await backups.VerifyAsync(date, input.Actor, input.CorrelationId, cancellationToken).ConfigureAwait(false);
            return new RestorePlan([], manifest.StartedAt, manifest.StartedAt, "Verification failed: " + string.Join(" ", failures));
        }

        long before = 0;
        var tables = new List<RestoreTableInput>();
        foreach (var file in files)
        {
            tables.Add(new RestoreTableInput(input.RestoreId, input.Backup, file.Table, file.Blob, file.Rows, file.ContentSha256, ModeOf(file.Table), input.Target, input.SidePrefix, input.DryRun, before));
            before += file.Rows;
        }

        return new RestorePlan(tables, manifest.StartedAt, manifest.StartedAt - ClockMargin, null);
    }

    /// <summary>Writes one file into its table (or the flag store). Run again after a stop, it writes the same rows again.</summary>
    public async Task<RestoreTableResult> RestoreTableAsync(RestoreTableInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var container = await catalog.ContainerAsync(cancellationToken).ConfigureAwait(false);
        var entities = BackupFiles.ReadAsync(container.GetBlobClient(input.Blob), cancellationToken);
        if (input.Mode == RestoreModes.FlagStore && input.Target == RestoreTargets.Live)
        {
            return await RestoreFlagsAsync(input, entities, cancellationToken).ConfigureAwait(false);
        }

        var target = await TargetStorage(input.Target, input.SidePrefix).GetTableAsync(input.Table, cancellationToken).ConfigureAwait(false);
        var mode = input.Mode == RestoreModes.FlagStore ? RestoreModes.Replace : input.Mode;
        // A side table is new to this restore (its prefix comes from the restore id): nothing in it to remove.
        var removeOthers = mode == RestoreModes.Replace && input.Target == RestoreTargets.Live;
        var restorer = new TableRestorer(target, mode, removeOthers, options.Value.RestoreParallelism, rows => state.SetProgressAsync(input.RestoreId, input.RowsBefore + rows, cancellationToken));
        return await restorer.RestoreAsync(input.Table, entities, input.DryRun, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replays the journal of one table over (backup start − margin, point in time]: each entity ends as its last
    /// journaled write up to then, or as in the backup when it was not written since (ADR 0016).
    /// </summary>
    public async Task<JournalApplyResult> ApplyJournalAsync(JournalApplyInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var journal = JournalOf(input.Table);
        var changes = await JournalReader.ReadAsync(storage, input.Table, journal, input.From, input.To, cancellationToken).ConfigureAwait(false);
        var final = Fold(changes);
        if (input.DryRun || final.Count == 0)
        {
            return new JournalApplyResult(input.Table, changes.Count, final.Count);
        }

        if (input.Mode == RestoreModes.FlagStore && input.Target == RestoreTargets.Live)
        {
            foreach (var ((_, id), folded) in final)
            {
                if (folded.Entity is { } entity)
                {
                    await SaveFlagAsync(id, entity, cancellationToken).ConfigureAwait(false);
                }
            }

            await publisher.PublishAfterWriteAsync(cancellationToken).ConfigureAwait(false);
            return new JournalApplyResult(input.Table, changes.Count, final.Count);
        }

        var target = await TargetStorage(input.Target, input.SidePrefix).GetTableAsync(input.Table, cancellationToken).ConfigureAwait(false);
        foreach (var ((partition, row), folded) in final)
        {
            if (folded.Entity is not { } entity)
            {
                var current = await target.GetEntityIfExistsAsync<TableEntity>(partition, row, ["PartitionKey"], cancellationToken).ConfigureAwait(false);
                if (current.HasValue)
                {
                    try
                    {
                        await target.DeleteEntityAsync(partition, row, current.Value!.ETag, cancellationToken).ConfigureAwait(false);
                    }
                    catch (RequestFailedException e) when (e.Status is 404 or 412)
                    {
                        // Gone already, or rewritten since: the restore does not fight a live writer.
                    }
                }
            }
            else
            {
                await target.UpsertEntityAsync(entity, folded.MergeOnly ? TableUpdateMode.Merge : TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }
        }

        return new JournalApplyResult(input.Table, changes.Count, final.Count);
    }

    /// <summary>Re-applies the erasure ledger to the restored tables (side or live) before the restore reports success.</summary>
    public async Task<int> ReapplyErasuresAsync(ReapplyInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var report = await reapplier.ReapplyAsync(TargetStorage(input.Target, input.SidePrefix), input.DataAsOf, cancellationToken).ConfigureAwait(false);
        return report.Total;
    }

    /// <summary>The drill's check: each restored side table, re-encoded, must give the manifest's row count and content hash.</summary>
    public async Task<string?> CompareDrillAsync(DrillCompareInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var side = TargetStorage(RestoreTargets.Side, input.SidePrefix);
        var failures = new List<string>();
        foreach (var table in input.Plan.Tables)
        {
            var client = await side.GetTableAsync(table.Table, cancellationToken).ConfigureAwait(false);
            var (rows, hash) = await BackupFiles.ContentHashAsync(BackupService.DataRowsAsync(client, options.Value.PageSize, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (rows != table.Rows || hash != table.ContentSha256)
            {
                failures.Add($"{table.Table}: restored {rows} rows, the manifest says {table.Rows}{(rows == table.Rows ? " (content differs)" : "")}.");
            }
        }

        return failures.Count == 0 ? null : string.Join(" ", failures);
    }

    /// <summary>Drops the side tables of a restore (the drill's last step; an operator's side restore keeps them).</summary>
    public async Task<int> DeleteSideTablesAsync(IReadOnlyList<string> tables, string sidePrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var side = TargetStorage(RestoreTargets.Side, sidePrefix);
        foreach (var table in tables)
        {
            await storage.TableService.DeleteTableAsync(side.TableName(table), cancellationToken).ConfigureAwait(false);
        }

        return tables.Count;
    }

    /// <summary>Releases the lock, records live restores and drills, counts and audits. Idempotent (upserts by restore id).</summary>
    public async Task<bool> FinishAsync(RestoreFinishInput finish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finish);
        var input = finish.Input;
        var outcome = finish.Outcome;
        var now = time.GetUtcNow();
        var passed = outcome.Outcome == "completed";
        if (passed && input.Target == RestoreTargets.Live && !input.DryRun)
        {
            await state.RecordLiveAsync(input.RestoreId, input.Actor, input.Backup, now, cancellationToken).ConfigureAwait(false);
        }

        if (input.Drill)
        {
            var duration = now - finish.StartedAt;
            await state.RecordDrillAsync(new DrillRecord(input.RestoreId, input.Backup, now, passed, duration.TotalSeconds, outcome.RowsWritten, outcome.Failure), cancellationToken).ConfigureAwait(false);
            BackupMetrics.Drill(passed, duration);
        }
        else
        {
            BackupMetrics.Restored(input.Target, outcome.Outcome);
        }

        await audit.AppendAsync(
            new AuditRecord(input.Actor, input.Drill ? "backup.drill.completed" : "backup.restore.completed", "backup:" + input.Backup, outcome.Outcome, input.CorrelationId,
                new Dictionary<string, string?>
                {
                    ["restoreId"] = input.RestoreId,
                    ["target"] = input.Target,
                    ["dryRun"] = input.DryRun ? "true" : "false",
                    ["rows"] = outcome.RowsWritten.ToString(CultureInfo.InvariantCulture),
                    ["erasedAgain"] = outcome.SubjectsErasedAgain.ToString(CultureInfo.InvariantCulture),
                    ["failure"] = outcome.Failure,
                }),
            cancellationToken).ConfigureAwait(false);
        await state.ReleaseAsync(input.RestoreId, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public StorageClients TargetStorage(string target, string sidePrefix) =>
        target == RestoreTargets.Live ? storage : new StorageClients(storage.TableService, storage.BlobService, sidePrefix, storage.Declared);

    /// <summary>Per entity, the state at the end of the window: the whole entity, only merged properties (no put seen in the window), or deleted.</summary>
    internal static Dictionary<(string Partition, string Row), FoldedChange> Fold(IReadOnlyList<KeyedChange> changes)
    {
        var final = new Dictionary<(string, string), FoldedChange>();
        foreach (var keyed in changes)
        {
            var key = (keyed.PartitionKey, keyed.Change.RowKey);
            var change = keyed.Change;
            if (change.Operation == JournalChange.Delete)
            {
                final[key] = new FoldedChange(null, false);
                continue;
            }

            var merge = change.Operation == JournalChange.Merge;
            var entity = merge && final.TryGetValue(key, out var earlier) && earlier.Entity is { } basis
                ? basis
                : new TableEntity(keyed.PartitionKey, change.RowKey);
            foreach (var (name, value) in change.Properties ?? new Dictionary<string, object?>())
            {
                if (name is not ("PartitionKey" or "RowKey" or "Timestamp"))
                {
                    entity[name] = value;
                }
            }

            // A merge onto a put seen in the window is a whole entity; a merge alone only changes its properties.
            var mergeOnly = merge && !(final.TryGetValue(key, out var prior) && prior.Entity is not null && !prior.MergeOnly);
            final[key] = new FoldedChange(entity, mergeOnly);
        }

        return final;
    }

    private async Task<RestoreTableResult> RestoreFlagsAsync(RestoreTableInput input, IAsyncEnumerable<TableEntity> entities, CancellationToken cancellationToken)
    {
        long rows = 0, written = 0;
        await foreach (var entity in entities.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            if (!input.DryRun)
            {
                await SaveFlagAsync(entity.RowKey, entity, cancellationToken).ConfigureAwait(false);
                written++;
            }
        }

        if (!input.DryRun)
        {
            await publisher.PublishAfterWriteAsync(cancellationToken).ConfigureAwait(false);
        }

        // Flags created after the backup are kept: the flag-store interface has no delete (a restore never removes a kill switch).
        return new RestoreTableResult(input.Table, rows, written, 0, 0);
    }

    /// <summary>Writes a backed-up flag through the flag store in use, on the ETag it has now (re-read on a lost race).</summary>
    private async Task SaveFlagAsync(string id, TableEntity entity, CancellationToken cancellationToken)
    {
        var parsed = FlagDocument.Parse(BackupService.FlagDocumentOf(entity) ?? "", id);
        if (!parsed.IsValid)
        {
            return;
        }

        var tags = entity.GetString("Tags") is { Length: > 0 } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : [];
        for (var attempt = 1; ; attempt++)
        {
            var current = await flags.GetAsync(id, cancellationToken).ConfigureAwait(false);
            try
            {
                await flags.SaveAsync(parsed.Flag!, tags, current is null ? FlagWriteCondition.Absent : FlagWriteCondition.Matching(current.ETag), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (FlagConflictException) when (attempt < 5)
            {
                // Written meanwhile: read again and write over it (the restore is the writer of record).
            }
        }
    }
}

/// <summary>An entity at the end of a journal window: null when deleted; <see cref="MergeOnly"/> when only some properties are known.</summary>
internal sealed record FoldedChange(TableEntity? Entity, bool MergeOnly);
