using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Security.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Backups.Run;

public sealed record BackupRunResult(string Date, bool Skipped, long Rows, int Files);

public sealed record MaintenanceResult(IReadOnlyList<string> Expired, int JournalRowsPruned, IReadOnlyList<string> Reverified);

/// <summary>
/// Takes, verifies and expires backups. A table is copied page by page while users write (each entity as
/// of the moment its page was read); the point-in-time journal closes that gap (ADR 0016).
/// </summary>
public sealed partial class BackupService(
    StorageClients storage,
    DataMap map,
    BackupCatalog catalog,
    IFlagStore flags,
    IAuditLog audit,
    IOptions<BackupOptions> options,
    TimeProvider time,
    ILogger<BackupService> logger)
{
    public const string FlagPartition = "flag";

    private const string FlagDocumentProperty = "Document";

    public static string AppVersion { get; } =
        typeof(BackupService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Takes the backup of <paramref name="date"/> unless a verified one exists (a timer fired twice, an activity ran again).</summary>
    public async Task<BackupRunResult> RunAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var name = BackupCatalog.Format(date);
        if (await catalog.GetAsync(date, cancellationToken).ConfigureAwait(false) is { Manifest.Verified: true } done)
        {
            return new BackupRunResult(name, true, done.Manifest.Rows, done.Manifest.Files.Count);
        }

        var started = time.GetUtcNow();
        var dates = (await catalog.DatesAsync(cancellationToken).ConfigureAwait(false)).Append(date).Distinct().ToList();
        var tags = new Dictionary<string, string> { [BackupTiers.TagName] = BackupTiers.Tag(BackupTiers.Of(date, dates)) };
        var container = await catalog.ContainerAsync(cancellationToken).ConfigureAwait(false);
        var files = new List<BackupFile>();
        foreach (var logical in await TablesAsync(cancellationToken).ConfigureAwait(false))
        {
            var table = await storage.GetTableAsync(logical, cancellationToken).ConfigureAwait(false);
            files.Add(await BackupFiles.WriteAsync(container.GetBlobClient(BackupStores.FileBlob(name, logical)), logical, DataRowsAsync(table, options.Value.PageSize, cancellationToken), tags, cancellationToken).ConfigureAwait(false));
        }

        files.Add(await BackupFiles.WriteAsync(container.GetBlobClient(BackupStores.FileBlob(name, BackupStores.Flags)), BackupStores.Flags, FlagEntitiesAsync(cancellationToken), tags, cancellationToken).ConfigureAwait(false));
        var manifest = new BackupManifest(BackupManifest.CurrentSchemaVersion, name, started, time.GetUtcNow(), AppVersion, flags.Kind, files, null);
        await catalog.SaveAsync(manifest, null, tags, cancellationToken).ConfigureAwait(false);
        BackupMetrics.Backup("completed", manifest.Rows);
        LogTaken(logger, name, manifest.Rows, files.Count);
        return new BackupRunResult(name, false, manifest.Rows, files.Count);
    }

    /// <summary>
    /// Re-reads every file of the backup against its manifest and records the outcome in the manifest. A failure
    /// counts <c>huntaze.backup.verifications{outcome=failed}</c> and is audited; the next run verifies again.
    /// </summary>
    public async Task<BackupVerification> VerifyAsync(DateOnly date, string actor, string correlationId, CancellationToken cancellationToken)
    {
        var found = await catalog.GetAsync(date, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No backup of {BackupCatalog.Format(date)}.");
        var checks = await CheckAsync(found.Manifest, found.Manifest.Files, cancellationToken).ConfigureAwait(false);
        var failures = checks.Where(c => !c.Passed).Select(c => c.Failure!).ToList();
        var verification = new BackupVerification(failures.Count == 0, time.GetUtcNow(), failures);
        var dates = await catalog.DatesAsync(cancellationToken).ConfigureAwait(false);
        var tags = new Dictionary<string, string> { [BackupTiers.TagName] = BackupTiers.Tag(BackupTiers.Of(date, dates)) };
        await catalog.SaveAsync(found.Manifest with { Verification = verification }, found.ETag, tags, cancellationToken).ConfigureAwait(false);
        BackupMetrics.Verified(verification.Passed);
        if (!verification.Passed)
        {
            LogVerificationFailed(logger, found.Manifest.Date, failures.Count);
            await audit.AppendAsync(
                new AuditRecord(actor, "backup.verification_failed", "backup:" + found.Manifest.Date, "failed", correlationId,
                    new Dictionary<string, string?> { ["failures"] = string.Join(" ", failures) }),
                cancellationToken).ConfigureAwait(false);
        }

        return verification;
    }

    /// <summary>Checks the given files of a backup (count, both hashes, a complete gzip stream).</summary>
    public async Task<IReadOnlyList<FileCheck>> CheckAsync(BackupManifest manifest, IEnumerable<BackupFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var container = await catalog.ContainerAsync(cancellationToken).ConfigureAwait(false);
        var checks = new List<FileCheck>();
        foreach (var file in files)
        {
            checks.Add(await BackupFiles.CheckAsync(container.GetBlobClient(file.Blob), file, cancellationToken).ConfigureAwait(false));
        }

        return checks;
    }

    /// <summary>Expires backups past their tier, prunes the journal past its lifetime, verifies backups left unverified.</summary>
    public async Task<MaintenanceResult> MaintainAsync(string actor, string correlationId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var dates = await catalog.DatesAsync(cancellationToken).ConfigureAwait(false);
        var expired = BackupTiers.Expired(dates, today, settings);
        foreach (var date in expired)
        {
            await catalog.DeleteAsync(date, cancellationToken).ConfigureAwait(false);
        }

        var pruned = 0;
        foreach (var store in map.Stores.Where(s => JournalPlacement.Of(s.Name) != JournalMode.None))
        {
            pruned += await JournalReader.PruneAsync(storage, map.NameOf(store.Name), JournalPlacement.Of(store.Name), now.AddDays(-settings.JournalDays), cancellationToken).ConfigureAwait(false);
        }

        var reverified = new List<string>();
        foreach (var date in dates.Except(expired))
        {
            if (await catalog.GetAsync(date, cancellationToken).ConfigureAwait(false) is { Manifest.Verification: null } unverified)
            {
                await VerifyAsync(date, actor, correlationId, cancellationToken).ConfigureAwait(false);
                reverified.Add(unverified.Manifest.Date);
            }
        }

        return new MaintenanceResult([.. expired.Select(BackupCatalog.Format)], pruned, reverified);
    }

    /// <summary>The tables of the data map that are backed up and exist, by effective logical name.</summary>
    public async Task<IReadOnlyList<string>> TablesAsync(CancellationToken cancellationToken) =>
        [.. (await map.ListTablesAsync(storage, cancellationToken).ConfigureAwait(false))
            // The flag table is covered by the flag-store file (flags.ndjson.gz), whichever store is in use.
            .Where(t => t.Store.Backup.Included && t.Store.Kind == StoreKind.Table && t.Store.Name != TableFlagStore.TableName)
            .Select(t => t.LogicalName)
            .Order(StringComparer.Ordinal)];

    /// <summary>A table's data rows page by page (the journal rows stay out: they are the journal, not data).</summary>
    public static async IAsyncEnumerable<TableEntity> DataRowsAsync(TableClient table, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        await foreach (var page in table.QueryAsync<TableEntity>(maxPerPage: pageSize, cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
        {
            foreach (var entity in page.Values)
            {
                if (!JournalEntity.IsJournalRow(entity.RowKey))
                {
                    yield return entity;
                }
            }
        }
    }

    /// <summary>A flag as the entity the embedded flag table would hold: the same shape for backup, journal and restore.</summary>
    public static TableEntity FlagEntity(StoredFlag flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        return FlagRow(flag.Flag.Id, FlagDocument.Serialize(flag.Flag), flag.Tags);
    }

    /// <summary>The document over <c>Document</c>, <c>Document1</c> … as the flag table keeps it (a Table property holds 32K characters).</summary>
    public static TableEntity FlagRow(string id, string document, IReadOnlyDictionary<string, string> tags)
    {
        var row = new TableEntity(FlagPartition, id) { ["Tags"] = JsonSerializer.Serialize(tags) };
        SetFlagDocument(row, document);
        return row;
    }

    /// <summary>Sets a flag row's document (parts a shorter document no longer needs are removed).</summary>
    public static void SetFlagDocument<T>(IDictionary<string, T> row, string document)
        where T : class? => LongStringProperty.Write(row, FlagDocumentProperty, document);

    /// <summary>The document a flag row (backed up, journaled or restored) holds, its parts joined.</summary>
    public static string? FlagDocumentOf<T>(IDictionary<string, T> row)
        where T : class? => LongStringProperty.Read(row, FlagDocumentProperty);

    /// <summary>Every flag document as stored (its text, so members we do not evaluate and unreadable documents are kept too).</summary>
    private async IAsyncEnumerable<TableEntity> FlagEntitiesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var document in (await flags.ListAsync(cancellationToken).ConfigureAwait(false)).OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            yield return FlagRow(document.Name, document.Text, document.Tags);
        }
    }

    [LoggerMessage(EventId = 12001, Level = LogLevel.Information, Message = "Backup {Date} taken: {Rows} rows in {Files} files")]
    private static partial void LogTaken(ILogger logger, string date, long rows, int files);

    [LoggerMessage(EventId = 12002, Level = LogLevel.Error, Message = "Backup {Date} failed verification: {Failures} files")]
    private static partial void LogVerificationFailed(ILogger logger, string date, int failures);
}
