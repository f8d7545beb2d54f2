using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Security.Audit;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Backups.Restore;

/// <summary>
/// Validates a restore request against what exists (the backup, its verification, the journal's reach, the
/// tables), takes the restore lock and starts the orchestration. Every refusal is a 4xx before anything runs.
/// </summary>
public sealed class RestoreStarter(StorageClients storage, DataMap map, BackupCatalog catalog, RestoreState state, IAuditLog audit, IOptions<BackupOptions> options, TimeProvider time)
{
    public const string IdPrefix = "backup-restore-";

    /// <summary>Tables a restore can name: the backed-up tables of the data map, and the flag documents.</summary>
    public IReadOnlyList<string> RestorableTables =>
        [.. map.Stores.Where(s => s.Kind == StoreKind.Table && s.Backup.Included).Select(s => map.NameOf(s.Name)).Append(BackupStores.Flags).Distinct().Order(StringComparer.Ordinal)];

    public async Task<RestoreInput> StartAsync(RestoreRequest body, string actor, string correlationId, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(client);
        var (manifest, pointInTime) = await ResolveAsync(body, cancellationToken).ConfigureAwait(false);
        var tables = ResolveTables(body.Tables, manifest);
        var target = body.Target!;
        if (target == RestoreTargets.Live && manifest.Verification is { Passed: false })
        {
            throw Problems.Conflict($"The backup of {manifest.Date} failed verification ({string.Join(" ", manifest.Verification.Failures)}); it cannot be restored live.");
        }

        var id = IdPrefix + Guid.NewGuid().ToString("N");
        var input = new RestoreInput(id, manifest.Date, pointInTime, tables, target, body.DryRun ?? false, false, SidePrefix(id), actor, correlationId);
        await StartAsync(input, client, cancellationToken).ConfigureAwait(false);
        return input;
    }

    /// <summary>The weekly drill: the latest verified backup into side tables; null when there is none or a restore runs.</summary>
    public async Task<RestoreInput?> StartDrillAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var latest = (await catalog.ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(m => m.Verified);
        if (latest is null)
        {
            return null;
        }

        var id = IdPrefix + Guid.NewGuid().ToString("N");
        var input = new RestoreInput(id, latest.Date, null, [.. latest.Files.Select(f => f.Table)], RestoreTargets.Side, false, true, SidePrefix(id), "system", "drill-" + latest.Date);
        try
        {
            await StartAsync(input, client, cancellationToken).ConfigureAwait(false);
        }
        catch (ProblemException)
        {
            return null;
        }

        return input;
    }

    /// <summary>
    /// Audited before it takes effect (write-ahead, like every admin change): when the audit log cannot take the
    /// entry the caller gets 503 with Retry-After and neither the lock nor the orchestration exists. A restore
    /// refused after that (the lock is held: 409) leaves a second entry, aborted, with the same change id.
    /// </summary>
    private async Task StartAsync(RestoreInput input, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var change = new AuditRecord(input.Actor, input.Drill ? "backup.drill.started" : "backup.restore.started", "backup:" + input.Backup, AuditedChange.Accepted, input.CorrelationId,
            new Dictionary<string, string?>
            {
                ["restoreId"] = input.RestoreId,
                ["target"] = input.Target,
                ["pointInTime"] = input.PointInTime?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["tables"] = string.Join(",", input.Tables),
                ["dryRun"] = input.DryRun ? "true" : "false",
            });
        await audit.RecordChangeAsync(change, async token =>
        {
            await state.AcquireAsync(input.RestoreId, input.Actor, time.GetUtcNow(), client, token).ConfigureAwait(false);
            try
            {
                await client.ScheduleNewOrchestrationInstanceAsync(RestoreOrchestration.Orchestrator, input, new StartOrchestrationOptions(input.RestoreId), token).ConfigureAwait(false);
            }
            catch
            {
                await state.ReleaseAsync(input.RestoreId, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Side tables are named with the live prefix, 'r' and the first 10 characters of the restore's id.</summary>
    public string SidePrefix(string restoreId) => storage.Prefix + "r" + restoreId[IdPrefix.Length..][..10];

    private async Task<(BackupManifest Manifest, DateTimeOffset? PointInTime)> ResolveAsync(RestoreRequest body, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.Target is not (RestoreTargets.Side or RestoreTargets.Live))
        {
            errors["target"] = ["Must be 'side' (new tables for inspection) or 'live' (replaces the live tables' content)."];
        }

        if ((body.Backup is null) == (body.PointInTime is null))
        {
            errors[body.Backup is null ? "backup" : "pointInTime"] = ["Give either a backup date (yyyy-MM-dd) or a pointInTime, not both."];
        }

        DateOnly date = default;
        if (body.Backup is not null && !BackupCatalog.TryParse(body.Backup, out date))
        {
            errors["backup"] = ["Must be a date, yyyy-MM-dd."];
        }

        var now = time.GetUtcNow();
        var reach = TimeSpan.FromDays(options.Value.JournalDays);
        if (body.PointInTime is { } requested && (requested > now || requested < now - reach))
        {
            errors["pointInTime"] = [$"Must be within the last {options.Value.JournalDays} days (the journal's reach) and not in the future."];
        }

        if (errors.Count > 0)
        {
            throw Problems.Validation(errors, "The restore request has invalid fields.");
        }

        if (body.Backup is not null)
        {
            var found = await catalog.GetAsync(date, cancellationToken).ConfigureAwait(false)
                ?? throw Problems.NotFound($"There is no backup of {body.Backup}.", "backup", body.Backup);
            return (found.Manifest, null);
        }

        var pointInTime = body.PointInTime!.Value;
        // The base: the newest backup that finished by then, started within the journal's reach, not failed.
        var candidates = await catalog.ListAsync(cancellationToken).ConfigureAwait(false);
        var basis = candidates.FirstOrDefault(m => m.CompletedAt <= pointInTime && m.StartedAt - RestoreService.ClockMargin >= now - reach && m.Verification is not { Passed: false })
            ?? throw Problems.Validation("pointInTime", $"No backup finished before {pointInTime:O} within the journal's {options.Value.JournalDays} days: choose a later time, or restore a backup by date.");
        var liveRestores = await state.LiveRestoresSinceAsync(basis.StartedAt, cancellationToken).ConfigureAwait(false);
        if (liveRestores.Any(at => at <= pointInTime))
        {
            throw Problems.Conflict("A live restore was made between that backup and the point in time: the journal cannot replay across it. Choose a time before the live restore, or after the next backup.");
        }

        return (basis, pointInTime);
    }

    private List<string> ResolveTables(IReadOnlyList<string>? requested, BackupManifest manifest)
    {
        var known = RestorableTables;
        if (requested is null || requested.Count == 0)
        {
            return [.. manifest.Files.Select(f => f.Table).Where(known.Contains)];
        }

        var unknown = requested.Where(t => !known.Contains(t, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw Problems.Validation("tables", $"Unknown tables: {string.Join(", ", unknown)}. Restorable: {string.Join(", ", known)}.");
        }

        var missing = requested.Where(t => manifest.File(t) is null).ToList();
        if (missing.Count > 0)
        {
            throw Problems.Validation("tables", $"The backup of {manifest.Date} does not hold: {string.Join(", ", missing)}.");
        }

        return [.. requested.Distinct(StringComparer.Ordinal)];
    }
}
