namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// One stored audit entry: the record, its place in the day's chain (<see cref="Partition"/>,
/// <see cref="Sequence"/>), the previous entry's hash and its own.
/// </summary>
public sealed record AuditEntry(
    string Partition,
    long Sequence,
    string Time,
    string Actor,
    string Action,
    string Target,
    string Outcome,
    string CorrelationId,
    IReadOnlyDictionary<string, string?> Details,
    string PreviousHash,
    string Hash);

/// <summary>Where verification found the chain broken.</summary>
public sealed record AuditBrokenLink(string Partition, long Sequence, string Reason);

public sealed record AuditVerification(bool Valid, int PartitionsChecked, long EntriesChecked, AuditBrokenLink? FirstBroken);

/// <summary>The head of one day's chain: the last sequence and hash, updated with the entry in one transaction.</summary>
public sealed record AuditChainHead(long Sequence, string Hash);
