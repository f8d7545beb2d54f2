using System.Collections.Concurrent;
using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.UnitTests.Security;

/// <summary>A compare-and-swap store with ETags, behaving like Table Storage's conditional writes.</summary>
internal sealed class InMemoryRateLimitStore : IRateLimitStore
{
    private readonly ConcurrentDictionary<CounterKey, (int Count, string ETag)> _counters = new();
    private long _version;

    public Exception? Failure { get; set; }

    /// <summary>Added to every call, as a network round trip would be (so concurrent callers overlap).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Runs before every create or replace (e.g. to hang until cancelled).</summary>
    public Func<CancellationToken, Task>? WriteHook { get; set; }

    public int Conflicts;

    /// <summary>Committed creates and replaces: the storage writes a limiter caused.</summary>
    public int Writes;

    /// <summary>Counter reads.</summary>
    public int Reads;

    public async Task<CounterSnapshot?> GetAsync(CounterKey key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        ThrowIfFailing();
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        return _counters.TryGetValue(key, out var c) ? new CounterSnapshot(c.Count, c.ETag) : null;
    }

    public async Task<string?> TryCreateAsync(CounterKey key, int count, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        if (WriteHook is { } hook)
        {
            await hook(cancellationToken);
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        await Task.Yield();
        var etag = NextETag();
        var created = _counters.TryAdd(key, (count, etag));
        Interlocked.Increment(ref created ? ref Writes : ref Conflicts);

        return created ? etag : null;
    }

    public async Task<string?> TryReplaceAsync(CounterKey key, int count, string etag, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        if (WriteHook is { } hook)
        {
            await hook(cancellationToken);
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        await Task.Yield();
        var next = NextETag();
        if (_counters.TryGetValue(key, out var current) && current.ETag == etag && _counters.TryUpdate(key, (count, next), current))
        {
            Interlocked.Increment(ref Writes);
            return next;
        }

        Interlocked.Increment(ref Conflicts);
        return null;
    }

    public Task<int> DeleteDaysBeforeAsync(DateOnly before, CancellationToken cancellationToken) => Task.FromResult(0);

    public int CountOf(Func<CounterKey, bool> predicate) => _counters.Where(c => predicate(c.Key)).Sum(c => c.Value.Count);

    private string NextETag() => "W/\"" + Interlocked.Increment(ref _version) + "\"";

    private void ThrowIfFailing()
    {
        if (Failure is not null)
        {
            throw Failure;
        }
    }
}
