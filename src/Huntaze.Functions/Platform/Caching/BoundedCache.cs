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
    /// <summary>The load in flight per key; <see cref="Set"/> and <see cref="Remove"/> drop it, so it no longer keeps what it reads.</summary>
    private readonly ConcurrentDictionary<string, Task<TValue>> _loads = new(StringComparer.Ordinal);

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
    /// <paramref name="lifetime"/>, the entry is served and loaded again in the background, so a key asked for steadily
    /// never waits on <paramref name="load"/>. One load per key is in flight at a time: callers that miss together
    /// (a user's many tabs, a prefetch and the request that follows it) share it, each waiting under its own
    /// cancellation. A load's result is kept only when its key was not set or removed meanwhile (<see cref="Set"/>,
    /// <see cref="Remove"/>): a read that started before a change never outlives it. A load that fails keeps
    /// nothing: a served entry expires, and the next caller loads, and meets the failure, itself.
    /// </summary>
    public ValueTask<TValue> GetOrLoadAsync(string key, Func<string, CancellationToken, Task<TValue>> load, TimeSpan lifetime, TimeSpan refreshAhead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && now < entry.Until)
        {
            if (entry.Until - now <= refreshAhead)
            {
                Observed(Load(key, load, lifetime));
            }

            return ValueTask.FromResult(entry.Value);
        }

        var loading = Load(key, load, lifetime);
        return new ValueTask<TValue>(loading.IsCompleted ? loading : loading.WaitAsync(cancellationToken));
    }

    /// <summary>Starts loading <paramref name="key"/> unless it is held fresh or already loading (a caller that will ask for it shortly).</summary>
    public void Prefetch(string key, Func<string, CancellationToken, Task<TValue>> load, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (!_entries.TryGetValue(key, out var entry) || time.GetUtcNow() >= entry.Until)
        {
            Observed(Load(key, load, lifetime));
        }
    }

    /// <summary>Keeps <paramref name="value"/> until <paramref name="until"/> (nothing is kept past it).</summary>
    public void Set(string key, TValue value, DateTimeOffset until)
    {
        var now = time.GetUtcNow();
        if (until <= now)
        {
            return;
        }

        _loads.TryRemove(key, out _);
        Keep(key, new Entry(value, until), now);
    }

    /// <summary>Drops the entry and forgets a load in flight for it (what it read may predate the change).</summary>
    public void Remove(string key)
    {
        _loads.TryRemove(key, out _);
        _entries.TryRemove(key, out _);
    }

    private void Keep(string key, Entry entry, DateTimeOffset now)
    {
        if (_entries.Count >= capacity && !_entries.ContainsKey(key))
        {
            foreach (var (held, old) in _entries)
            {
                if (old.Until <= now)
                {
                    _entries.TryRemove(held, out _);
                }
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }
        }

        _entries[key] = entry;
    }

    /// <summary>The load in flight for <paramref name="key"/>, or a new one.</summary>
    private Task<TValue> Load(string key, Func<string, CancellationToken, Task<TValue>> load, TimeSpan lifetime)
    {
        while (true)
        {
            if (_loads.TryGetValue(key, out var running))
            {
                return running;
            }

            var loaded = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_loads.TryAdd(key, loaded.Task))
            {
                _ = RunAsync(key, load, lifetime, loaded);
                return loaded.Task;
            }
        }
    }

    /// <summary>Loads without a caller's cancellation (callers share the load and wait under their own).</summary>
    private async Task RunAsync(string key, Func<string, CancellationToken, Task<TValue>> load, TimeSpan lifetime, TaskCompletionSource<TValue> loaded)
    {
        try
        {
            var value = await load(key, CancellationToken.None).ConfigureAwait(false);
            if (IsCurrent(key, loaded.Task))
            {
                var now = time.GetUtcNow();
                var kept = new Entry(value, now + lifetime);
                Keep(key, kept, now);

                // A Set or Remove that raced the store dropped this load first: drop what it kept (the next caller loads
                // again) rather than keep a read older than the change.
                if (!IsCurrent(key, loaded.Task))
                {
                    _entries.TryRemove(new KeyValuePair<string, Entry>(key, kept));
                }
            }

            loaded.TrySetResult(value);
        }
#pragma warning disable CA1031 // The failure is the waiting callers' to meet; nothing is kept.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            loaded.TrySetException(exception);
        }
        finally
        {
            _loads.TryRemove(new KeyValuePair<string, Task<TValue>>(key, loaded.Task));
        }
    }

    private bool IsCurrent(string key, Task<TValue> load) => _loads.TryGetValue(key, out var current) && current == load;

    /// <summary>A load nobody waits for (a refresh, a prefetch): its failure is observed here, not left to the finalizer.</summary>
    private static void Observed(Task<TValue> task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private sealed record Entry(TValue Value, DateTimeOffset Until);
}
