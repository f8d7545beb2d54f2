using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Huntaze.Functions.Backups.Run;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Handlers;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Privacy.Subjects;

namespace Huntaze.Functions.Backups.Journal;

/// <summary>
/// The journal rows of <c>backupjournal</c> that name a user: the journaled flag documents (targeting lists), kept
/// 7 days for point-in-time restore. Erasure rewrites each such row with the id removed from its document, as
/// <see cref="FlagTargetingHandler"/> removes it from the flag itself, so a point-in-time restore replays the flag
/// without them; a row that cannot be rewritten so (a document that does not parse, the id somewhere else in it)
/// is deleted. Each write states the row's ETag; journal rows are otherwise only added and pruned, so a conflict
/// means a concurrent erasure or the daily prune, and the row is read again. Idempotent: a second erasure finds no
/// row naming the user.
/// </summary>
public sealed class JournalErasureHandler(StorageClients storage) : ISubjectDataHandler
{
    private const int ConflictRetries = 5;

    public string Key => "backupjournal";

    public IReadOnlyList<string> Stores { get; } = [BackupStores.Journal];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return [new(BackupStores.Journal, (await NamingAsync(subject.UserId, cancellationToken).ConfigureAwait(false)).Count)];
    }

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var rows = await NamingAsync(subject.UserId, cancellationToken).ConfigureAwait(false);
        return [new(BackupStores.Journal, [.. rows.Select(r => WriteJournal.Read(r)).SelectMany(r => r.Changes
            .Where(c => Names(c, subject.UserId))
            .Select(c => new JsonObject { ["table"] = r.Table, ["at"] = r.Time, ["entity"] = Entity(c) }))])];
    }

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var table = await storage.GetTableAsync(BackupStores.Journal, cancellationToken).ConfigureAwait(false);
        var changed = 0;
        foreach (var row in await NamingAsync(subject.UserId, cancellationToken).ConfigureAwait(false))
        {
            changed += await EraseRowAsync(table, row, subject.UserId, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        return [new(BackupStores.Journal, changed)];
    }

    /// <summary>The changes of <paramref name="changes"/> without the user id; null when a change naming them cannot be rewritten.</summary>
    public static IReadOnlyList<JournalChange>? Without(IReadOnlyList<JournalChange> changes, string userId)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var rewritten = new List<JournalChange>(changes.Count);
        foreach (var change in changes)
        {
            if (!Names(change, userId))
            {
                rewritten.Add(change);
                continue;
            }

            if (change.Properties is null)
            {
                return null;
            }

            var properties = new Dictionary<string, object?>(change.Properties, StringComparer.Ordinal);
            if (BackupService.FlagDocumentOf(properties) is not { } document
                || FlagTargetingHandler.Without(document, Entity(change), userId) is not { } flag)
            {
                return null;
            }

            BackupService.SetFlagDocument(properties, FlagDocument.Serialize(flag));
            var scrubbed = change with { Properties = properties };
            if (Names(scrubbed, userId))
            {
                return null;
            }

            rewritten.Add(scrubbed);
        }

        return rewritten;
    }

    private static async Task<bool> EraseRowAsync(TableClient table, TableEntity row, string userId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var record = WriteJournal.Read(row);
            if (!record.Changes.Any(c => Names(c, userId)))
            {
                return false;
            }

            try
            {
                if (Without(record.Changes, userId) is { } rewritten)
                {
                    WriteJournal.SetChanges(row, rewritten);
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
                }

                return true;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412 && attempt < ConflictRetries)
            {
                // Pruned (404: nothing left to erase) or rewritten by a concurrent erasure (412): read it again.
                var again = await table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!again.HasValue)
                {
                    return false;
                }

                row = again.Value!;
            }
        }
    }

    /// <summary>The journal rows (a week of flag writes: a few hundred at most) whose changes name the user.</summary>
    private async Task<List<TableEntity>> NamingAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(BackupStores.Journal, cancellationToken).ConfigureAwait(false);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (SubjectCipher.Mentions(WriteJournal.ChangesOf(row), userId)
                || WriteJournal.Read(row).Changes.Any(c => Names(c, userId)))
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>Whether a change names the user: its key, a property, or the flag document its parts make together.</summary>
    private static bool Names(JournalChange change, string userId) =>
        SubjectCipher.Mentions(change.RowKey, userId)
        || (change.Properties is { } properties
            && (properties.Values.Any(v => v is string text && SubjectCipher.Mentions(text, userId))
                || SubjectCipher.Mentions(BackupService.FlagDocumentOf(new Dictionary<string, object?>(properties)), userId)));

    /// <summary>The journaled entity's row key within its table (flag rows are kept as "{partition}\n{row}").</summary>
    private static string Entity(JournalChange change) => change.RowKey[(change.RowKey.IndexOf('\n', StringComparison.Ordinal) + 1)..];
}
