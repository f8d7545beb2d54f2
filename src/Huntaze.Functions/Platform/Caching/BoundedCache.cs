using System.Collections.Concurrent;

namespace Huntaze.Functions.Platform.Caching;

/// <summary>
/// An instance-local cache of at most <c>capacity</c> entries, each kept until its own deadline. When it is full,
/// expired entries go, and if none had expired everything goes: a burst of distinct keys costs recomputation, never
/// memory, and no eviction bookkeeping runs on the read path.
/// </summary>
public sealed class BoundedCache<TValue>(TimeProvider time, int capacity)
    where TValue : class
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _reloading = new(StringComparer.Ordinal);

    /// <summary>Entries held (for tests).</summary>
    internal int Count => _entries.Count;

    /// <summary>The value held for <paramref name="key"/> until its deadline (an expired entry stays until it is replaced or swept by <see cref="Set"/>).</summary>
    public bool TryGet(string key, out TValue value) => TryGet(key.AsSpan(), out value);

    /// <summary>For a key that is part of a larger string (a token in its header), without copying it out.</summary>
    public bool TryGet(ReadOnlySpan<char> key, out TValue value)
    {
        if (_entries.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var entry) && time.GetUtcNow() < entry.Until)
        {
            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>
    /// The value for <paramref name="key"/>, loaded when it is missing or expired (the caller waits, as without a
    /// cache: nothing is served past its deadline). In the last <paramref name="refreshAhead"/> of an entry's
    /// <paramref name="lifetime"/>, the entry is served and loaded again in the background, once per key at a time,
    /// so a key asked for steadily never waits on <paramref name="load"/>. A background load never replaces a value
    /// set or removed meanwhile (<see cref="Set"/>, <see cref="Remove"/>), and one that fails changes nothing: the
    /// entry expires and the next caller loads, and meets the failure, itself.
    /// </summary>
    public ValueTask<TValue> GetOrLoadAsync(string key, Func<string, CancellationToken, Task<TValue>> load, TimeSpan lifetime, TimeSpan refreshAhead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && now < entry.Until)
        {
            if (entry.Until - now <= refreshAhead)
            {
                Reload(key, entry, load, lifetime);
            }

            return ValueTask.FromResult(entry.Value);
        }

        return new ValueTask<TValue>(LoadAsync(key, load, lifetime, cancellationToken));
    }

    /// <summary>Keeps <paramref name="value"/> until <paramref name="until"/> (nothing is kept past it).</summary>
    public void Set(string key, TValue value, DateTimeOffset until)
    {
        var now = time.GetUtcNow();
        if (until <= now)
        {
            return;
        }

        if (_entries.Count >= capacity && !_entries.ContainsKey(key))
        {
            foreach (var (held, entry) in _entries)
            {
                if (entry.Until <= now)
                {
                    _entries.TryRemove(held, out _);
                }
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }
        }

        _entries[key] = new Entry(value, until);
    }

    public void Remove(string key) => _entries.TryRemove(key, out _);

    private async Task<TValue> LoadAsync(string key, Func<string, CancellationToken, Task<TValue>> load, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var value = await load(key, cancellationToken).ConfigureAwait(false);
        Set(key, value, time.GetUtcNow() + lifetime);
        return value;
    }

    private void Reload(string key, Entry served, Func<string, CancellationToken, Task<TValue>> load, TimeSpan lifetime)
    {
        if (!_reloading.TryAdd(key, true))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var value = await load(key, CancellationToken.None).ConfigureAwait(false);
                _entries.TryUpdate(key, new Entry(value, time.GetUtcNow() + lifetime), served);
            }
#pragma warning disable CA1031 // A failed reload is the next caller's to meet: the served entry simply expires.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
            finally
            {
                _reloading.TryRemove(key, out _);
            }
        });
    }

    private sealed record Entry(TValue Value, DateTimeOffset Until);
}
