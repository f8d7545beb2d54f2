using System.Collections.Concurrent;
using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.UnitTests.Security;

/// <summary>A compare-and-swap store with ETags, behaving like Table Storage's conditional writes.</summary>
internal sealed class InMemoryRateLimitStore : IRateLimitStore
{
    private readonly ConcurrentDictionary<CounterKey, (int Count, string ETag)> _counters = new();
    private long _version;

    public Exception? Failure { get; set; }

    public int Conflicts;

    public Task<CounterSnapshot?> GetAsync(CounterKey key, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.FromResult<CounterSnapshot?>(_counters.TryGetValue(key, out var c) ? new CounterSnapshot(c.Count, c.ETag) : null);
    }

    public async Task<bool> TryCreateAsync(CounterKey key, int count, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        await Task.Yield();
        var created = _counters.TryAdd(key, (count, NextETag()));
        if (!created)
        {
            Interlocked.Increment(ref Conflicts);
        }

        return created;
    }

    public async Task<bool> TryReplaceAsync(CounterKey key, int count, string etag, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        await Task.Yield();
        if (_counters.TryGetValue(key, out var current) && current.ETag == etag && _counters.TryUpdate(key, (count, NextETag()), current))
        {
            return true;
        }

        Interlocked.Increment(ref Conflicts);
        return false;
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
