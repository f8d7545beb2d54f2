namespace Huntaze.Functions.Privacy.Erasure;

/// <summary>One completed erasure: the subject reference (keyed hash of the user id), when, and which request.</summary>
public sealed record ErasureLedgerEntry(string SubjectRef, DateTimeOffset ErasedAt, string RequestId);

/// <summary>
/// The erasure ledger: the memory of who was erased, without their user id. A restore (issue 12)
/// re-applies it so no erased subject comes back: <see cref="IErasureReapplier"/>.
/// </summary>
public interface IErasureLedger
{
    /// <summary>Records an erasure; recording the same request again changes nothing (idempotent).</summary>
    Task RecordAsync(ErasureLedgerEntry entry, CancellationToken cancellationToken);

    /// <summary>The subject's erasures, oldest first (none: never erased).</summary>
    Task<IReadOnlyList<ErasureLedgerEntry>> FindAsync(string subjectRef, CancellationToken cancellationToken);

    /// <summary>Every entry (for re-application after a restore).</summary>
    IAsyncEnumerable<ErasureLedgerEntry> ListAsync(CancellationToken cancellationToken);
}

/// <summary>What re-applying the ledger did: per store, the subjects found again and what was erased.</summary>
public sealed record ReapplyReport(int LedgerEntries, IReadOnlyDictionary<string, int> SubjectsErasedPerStore)
{
    public int Total => SubjectsErasedPerStore.Values.Sum();
}

/// <summary>
/// Re-applies the ledger to restored data: every subject erased after <c>dataAsOf</c> (the time the
/// restored data was taken) is erased again in <c>storage</c>, which may name side tables through its
/// prefix. Subjects erased before that time are left alone (their data in the backup was written after
/// their erasure, e.g. a new account with the same id).
/// </summary>
public interface IErasureReapplier
{
    Task<ReapplyReport> ReapplyAsync(Platform.Storage.StorageClients storage, DateTimeOffset dataAsOf, CancellationToken cancellationToken);
}
