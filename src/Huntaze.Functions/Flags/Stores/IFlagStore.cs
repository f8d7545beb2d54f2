using Huntaze.Functions.Flags.Documents;

namespace Huntaze.Functions.Flags.Stores;

/// <summary>A readable flag as stored: the document, its ETag and its tags (the rollout stage lives in tags).</summary>
public sealed record StoredFlag(FeatureFlag Flag, string ETag, IReadOnlyDictionary<string, string> Tags);

/// <summary>How a write is conditioned: on the ETag read, or on the flag not existing yet.</summary>
public sealed record FlagWriteCondition(string? IfMatch, bool IfAbsent)
{
    public static FlagWriteCondition Matching(string etag) => new(etag, false);

    public static FlagWriteCondition Absent { get; } = new(null, true);
}

/// <summary>
/// The source of truth for flags: App Configuration when configured, else the embedded Table store. Both
/// hold the same Microsoft v2 documents and give the same ETag semantics (412 on a stale write). Reads never
/// hide a document: one that cannot be understood comes back with the reasons.
/// </summary>
public interface IFlagStore
{
    /// <summary>"appConfiguration" or "tableStorage", reported by readiness.</summary>
    string Kind { get; }

    /// <summary>Every flag document, readable or not.</summary>
    Task<IReadOnlyList<StoredDocument>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The document stored under <paramref name="name"/>, readable or not; null when there is none.</summary>
    Task<StoredDocument?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the flag under its id. A write that committed although its response was lost (and whose retry
    /// then met its own commit as a conflict) is recognised by its write id and reported as written.
    /// </summary>
    /// <exception cref="FlagConflictException">The condition does not hold (someone else wrote first).</exception>
    /// <exception cref="FlagTooLargeException">The document exceeds what the store holds.</exception>
    /// <exception cref="FlagStoreUnavailableException">The store cannot be reached.</exception>
    Task<StoredFlag> SaveAsync(FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken);
}

public sealed class FlagConflictException : Exception
{
    public FlagConflictException()
        : base("The flag has changed since it was read.")
    {
    }

    public FlagConflictException(string message)
        : base(message)
    {
    }

    public FlagConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A document larger than the store can hold; the message names the limit.</summary>
public sealed class FlagTooLargeException : Exception
{
    public FlagTooLargeException()
    {
    }

    public FlagTooLargeException(string message)
        : base(message)
    {
    }

    public FlagTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

public sealed class FlagStoreUnavailableException : Exception
{
    public FlagStoreUnavailableException()
    {
    }

    public FlagStoreUnavailableException(string message)
        : base(message)
    {
    }

    public FlagStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
