using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Backups.Journal;

/// <summary>How a store's writes reach the point-in-time journal.</summary>
public enum JournalMode
{
    /// <summary>Not journaled: a point-in-time restore takes the table from the backup as it is (see ADR 0016).</summary>
    None,

    /// <summary>A journal row in the same entity-group transaction as the write: atomic, no extra round trip.</summary>
    InTransaction,

    /// <summary>A row in <c>backupjournal</c> after the write committed (an extra round trip; admin writes only).</summary>
    JournalTable,
}

/// <summary>Which store journals how, by the data map's declared names (ADR 0016 says why).</summary>
public static class JournalPlacement
{
    public static JournalMode Of(string declaredName) => declaredName switch
    {
        HuntazeDataMap.OnboardingProgress => JournalMode.InTransaction,
        BackupStores.Flags => JournalMode.JournalTable,
        _ => JournalMode.None,
    };
}
