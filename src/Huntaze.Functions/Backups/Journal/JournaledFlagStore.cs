using Huntaze.Functions.Backups.Run;
using Huntaze.Functions.Flags.Stores;
using Microsoft.Extensions.Logging;

namespace Huntaze.Functions.Backups.Journal;

/// <summary>
/// The flag stores' hook into the point-in-time journal: wraps whichever <see cref="IFlagStore"/> is in use
/// and, after a write committed, appends the written document to <c>backupjournal</c>. Flag writes are admin
/// writes (never the hot path), so the extra round trip is acceptable; App Configuration cannot share a
/// transaction with a table. A long document is kept over several properties of its journal row. A journal append
/// that fails (storage, or a document too large for one journal row) does not undo the committed flag write: it is
/// counted (<c>huntaze.backup.journal.failures</c>) and logged, and the next backup covers the flag.
/// </summary>
public sealed partial class JournaledFlagStore(IFlagStore inner, WriteJournal journal, ILogger<JournaledFlagStore> logger) : IFlagStore
{
    public string Kind => inner.Kind;

    public Task<IReadOnlyList<StoredDocument>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<StoredDocument?> GetAsync(string name, CancellationToken cancellationToken) => inner.GetAsync(name, cancellationToken);

    public async Task<StoredFlag> SaveAsync(Flags.Documents.FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken)
    {
        var saved = await inner.SaveAsync(flag, tags, condition, cancellationToken).ConfigureAwait(false);
        var entity = BackupService.FlagEntity(saved);
        try
        {
            await journal.AppendAsync(BackupStores.Flags, entity.PartitionKey, [new JournalChange(entity.RowKey, JournalChange.Put, WriteJournal.PropertiesOf(entity))], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (WriteJournal.IsStorageFailure(e) || e is JournalRowTooLargeException)
        {
            // A document whose escaped form exceeds a journal row (WriteJournal.MaxChangesChars; the flag store holds
            // up to 360,000 characters) is not journaled either: the write stands, a point-in-time restore misses that change.
            BackupMetrics.JournalFailed();
            LogJournalFailed(logger, flag.Id, e);
        }

        return saved;
    }

    [LoggerMessage(EventId = 12010, Level = LogLevel.Error, Message = "Flag {Flag} was saved but its journal row could not be written")]
    private static partial void LogJournalFailed(ILogger logger, string flag, Exception exception);
}
