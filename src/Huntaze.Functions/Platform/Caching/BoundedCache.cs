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

    /// <summary>Entries held (for tests).</summary>
    internal int Count => _entries.Count;

    public bool TryGet(string key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (time.GetUtcNow() < entry.Until)
            {
                value = entry.Value;
                return true;
            }

            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }

        value = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/> until <paramref name="until"/> (nothing is kept past it).</summary>
    /// <summary>
    /// <see cref="TryGet(string, out TValue)"/> for a key that is part of a larger string (a token in its header),
    /// without copying it out. An expired entry is left to the string form to remove.
    /// </summary>
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

    private sealed record Entry(TValue Value, DateTimeOffset Until);
}
