using System.Globalization;

namespace Huntaze.Functions.Backups.Journal;

/// <summary>
/// A journal row: one store write (all its entities) with the time it was made. Inside a journaled table
/// the rows live in the written partition under row keys <c>~j{ticks}{writeId}</c>, which sort after every
/// data row (a data read adds <c>RowKey lt '~'</c>); in <c>backupjournal</c> the partition is the table and
/// the row key <c>{ticks}_{writeId}</c>.
/// </summary>
public static class JournalEntity
{
    public const string TableProperty = "JTable";
    public const string TimeProperty = "JTime";
    public const string ChangesProperty = "JChanges";
    public const string RowPrefix = "~j";

    /// <summary>Every data row key sorts below this (row keys of data never start with '~').</summary>
    public const string DataRowsBelow = "~";

    public static bool IsJournalRow(string rowKey) => rowKey.StartsWith(RowPrefix, StringComparison.Ordinal);

    public static string InPartitionRowKey(DateTimeOffset time, string writeId) => RowPrefix + Ticks(time) + writeId;

    public static string InPartitionFloor(DateTimeOffset time) => RowPrefix + Ticks(time);

    public static string JournalTableRowKey(DateTimeOffset time, string writeId) => Ticks(time) + "_" + writeId;

    public static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}

/// <summary>What one write did to one entity: <c>put</c> (the whole new entity), <c>merge</c> (the properties changed) or <c>delete</c>.</summary>
public sealed record JournalChange(string RowKey, string Operation, IReadOnlyDictionary<string, object?>? Properties)
{
    public const string Put = "put";
    public const string Merge = "merge";
    public const string Delete = "delete";
}

/// <summary>One journaled write, as read back.</summary>
public sealed record JournalRecord(string Table, string PartitionKey, DateTimeOffset Time, string RowKey, IReadOnlyList<JournalChange> Changes);
