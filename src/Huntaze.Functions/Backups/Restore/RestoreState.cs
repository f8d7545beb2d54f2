using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.Storage;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Backups.Restore;

/// <summary>One drill's result, as <c>GET /api/admin/backups</c> shows the latest.</summary>
public sealed record DrillRecord(string RestoreId, string Backup, DateTimeOffset At, bool Passed, double DurationSeconds, long Rows, string? Detail);

/// <summary>
/// Table <c>backupstate</c>: the one restore lock (a second restore while one runs is a 409), the live
/// restores made (a point-in-time restore cannot replay the journal across one), drill results, and the
/// rows a running restore has written (its progress bar).
/// </summary>
public sealed class RestoreState(StorageClients storage)
{
    private const string LockPartition = "lock";
    private const string LockRow = "restore";
    private const string LivePartition = "live";
    private const string DrillPartition = "drill";
    private const string ProgressPartition = "progress";

    /// <summary>Takes the lock for <paramref name="restoreId"/>, or throws a 409 naming the restore that holds it.</summary>
    public async Task AcquireAsync(string restoreId, string actor, DateTimeOffset now, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(LockPartition, LockRow) { ["RestoreId"] = restoreId, ["Actor"] = actor, ["At"] = now };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Held: by a restore that still runs, or one that ended (or never started) without releasing it.
        }

        var held = await table.GetEntityIfExistsAsync<TableEntity>(LockPartition, LockRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (held.HasValue)
        {
            var holder = held.Value!.GetString("RestoreId") ?? "";
            var instance = holder.Length == 0 ? null : await client.GetInstanceAsync(holder, cancellationToken).ConfigureAwait(false);
            if (instance is not null && instance.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended)
            {
                throw Problems.Conflict($"Restore {holder} is running; wait for it to finish (GET /api/admin/backups/restores/{holder}).");
            }

            try
            {
                await table.UpdateEntityAsync(entity, held.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Someone else took it between our read and write.
            }
        }

        await AcquireAfterRaceAsync(table, entity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the lock if <paramref name="restoreId"/> holds it; idempotent (the finishing activity may run twice).</summary>
    public async Task ReleaseAsync(string restoreId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var held = await table.GetEntityIfExistsAsync<TableEntity>(LockPartition, LockRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (held.HasValue && held.Value!.GetString("RestoreId") == restoreId)
        {
            try
            {
                await table.DeleteEntityAsync(LockPartition, LockRow, held.Value.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Released or taken over meanwhile.
            }
        }
    }

    /// <summary>Records a live restore (upsert by id: recording twice is once).</summary>
    public async Task RecordLiveAsync(string restoreId, string actor, string backup, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(
            new TableEntity(LivePartition, restoreId) { ["RestoreId"] = restoreId, ["Actor"] = actor, ["Backup"] = backup, ["At"] = at },
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The live restores made after <paramref name="since"/>.</summary>
    public async Task<IReadOnlyList<DateTimeOffset>> LiveRestoresSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<DateTimeOffset>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {LivePartition}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.GetDateTimeOffset("At") is { } at && at > since)
            {
                found.Add(at);
            }
        }

        return found;
    }

    /// <summary>Records a drill; the row key sorts newest first.</summary>
    public async Task RecordDrillAsync(DrillRecord drill, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drill);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rowKey = (DateTimeOffset.MaxValue.UtcTicks - drill.At.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "_" + drill.RestoreId;
        await table.UpsertEntityAsync(
            new TableEntity(DrillPartition, rowKey)
            {
                ["RestoreId"] = drill.RestoreId,
                ["Backup"] = drill.Backup,
                ["At"] = drill.At,
                ["Outcome"] = drill.Passed ? "passed" : "failed",
                ["DurationSeconds"] = drill.DurationSeconds,
                ["Rows"] = drill.Rows,
                ["Detail"] = drill.Detail,
            },
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DrillRecord?> LatestDrillAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DrillPartition}"), maxPerPage: 1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return new DrillRecord(
                row.GetString("RestoreId") ?? "", row.GetString("Backup") ?? "", row.GetDateTimeOffset("At") ?? default,
                row.GetString("Outcome") == "passed", row.GetDouble("DurationSeconds") ?? 0, row.GetInt64("Rows") ?? 0, row.GetString("Detail"));
        }

        return null;
    }

    /// <summary>When the newest drill that passed finished (drill rows are newest first), or null.</summary>
    public async Task<DateTimeOffset?> LatestPassedDrillAtAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DrillPartition} and Outcome eq {"passed"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["At"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return row.GetDateTimeOffset("At");
        }

        return null;
    }

    /// <summary>Rows a running restore has written so far (written by the table activity every few thousand rows).</summary>
    public async Task SetProgressAsync(string restoreId, long rows, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(ProgressPartition, restoreId) { ["RestoreId"] = restoreId, ["Rows"] = rows }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long?> ProgressAsync(string restoreId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ProgressPartition, restoreId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetInt64("Rows") : null;
    }

    private static async Task AcquireAfterRaceAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            throw Problems.Conflict("Another restore has just started; wait for it to finish.");
        }
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => storage.GetTableAsync(BackupStores.State, cancellationToken);
}
