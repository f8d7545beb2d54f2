namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>Where one counter lives: the window's start day picks the table, so old days can be dropped whole.</summary>
public readonly record struct CounterKey(DateOnly Day, string Partition, string Row);

public readonly record struct CounterSnapshot(int Count, string ETag);

/// <summary>
/// Counters with optimistic concurrency. Implementations report a lost race as null, never as
/// an exception (null); any exception means the store is unavailable.
/// </summary>
public interface IRateLimitStore
{
    Task<CounterSnapshot?> GetAsync(CounterKey key, CancellationToken cancellationToken);

    /// <summary>Creates the counter at <paramref name="count"/>; its new ETag, or null if it already exists.</summary>
    Task<string?> TryCreateAsync(CounterKey key, int count, CancellationToken cancellationToken);

    /// <summary>Sets the counter if its ETag is still <paramref name="etag"/>; its new ETag, or null otherwise.</summary>
    Task<string?> TryReplaceAsync(CounterKey key, int count, string etag, CancellationToken cancellationToken);

    /// <summary>Drops every counter of windows that started before <paramref name="before"/>; returns how many days were dropped.</summary>
    Task<int> DeleteDaysBeforeAsync(DateOnly before, CancellationToken cancellationToken);
}
