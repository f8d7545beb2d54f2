using System.Collections.Concurrent;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// What this instance knows of the shared counters, to spare storage round trips. The store stays the
/// only authority:
/// <list type="bullet">
/// <item>reserved tokens were counted in the store but not yet spent; spending one needs no call, and
/// they are never more than were counted, so reservations cannot admit beyond the limit (tokens left
/// when a window ends only under-admit);</item>
/// <item>the count and ETag of this instance's last write are a guess at the current counter; a stale
/// guess costs one 412 and a read.</item>
/// </list>
/// Entries die with their window.
/// </summary>
internal sealed class CounterHints
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<CounterKey, Entry> _byKey = new();
    private long _nextSweepTicks;

    /// <summary>Keys held (for tests and diagnostics).</summary>
    internal int Count => _byKey.Count;

    /// <summary>
    /// Takes one reserved token; on success <paramref name="remaining"/> estimates the window's remaining budget and
    /// <paramref name="reservedLeft"/> is how many reserved tokens this instance still holds for the counter.
    /// </summary>
    public bool TryTake(CounterKey key, out int remaining, out int reservedLeft)
    {
        var taken = TryTakeMany(key, 1, out remaining, out reservedLeft);
        return taken == 1;
    }

    /// <summary>
    /// Takes up to <paramref name="wanted"/> reserved tokens at once (for the requests waiting on a refill) and returns
    /// how many; <paramref name="remaining"/> and <paramref name="reservedLeft"/> as for <see cref="TryTake"/>.
    /// </summary>
    public int TryTakeMany(CounterKey key, int wanted, out int remaining, out int reservedLeft)
    {
        remaining = 0;
        reservedLeft = 0;
        if (wanted <= 0 || !_byKey.TryGetValue(key, out var entry))
        {
            return 0;
        }

        while (true)
        {
            var left = Volatile.Read(ref entry.Reserved);
            if (left <= 0)
            {
                return 0;
            }

            var taken = Math.Min(left, wanted);
            if (Interlocked.CompareExchange(ref entry.Reserved, left - taken, left) == left)
            {
                reservedLeft = left - taken;
                var counted = Volatile.Read(ref entry.LastWritten)?.Count ?? entry.Limit;
                remaining = Math.Max(0, entry.Limit - counted + left - taken);
                return taken;
            }
        }
    }

    /// <summary>The window's remaining budget as this instance estimates it, and the tokens it holds reserved.</summary>
    public (int Remaining, int ReservedLeft) Peek(CounterKey key)
    {
        if (!_byKey.TryGetValue(key, out var entry))
        {
            return (0, 0);
        }

        var left = Volatile.Read(ref entry.Reserved);
        var counted = Volatile.Read(ref entry.LastWritten)?.Count ?? entry.Limit;
        return (Math.Max(0, entry.Limit - counted + left), left);
    }

    /// <summary>Whether this instance has counted in <paramref name="key"/> (an entry lasts as long as its window).</summary>
    public bool Knows(CounterKey key) => _byKey.ContainsKey(key);

    public bool TryGetLastWritten(CounterKey key, out CounterSnapshot snapshot)
    {
        snapshot = default;
        if (_byKey.TryGetValue(key, out var entry) && Volatile.Read(ref entry.LastWritten) is { } last)
        {
            snapshot = last.Snapshot;
            return true;
        }

        return false;
    }

    /// <summary>Records a committed write (an empty ETag, when the store did not return one, is not kept).</summary>
    public void RememberWrite(CounterKey key, CounterSnapshot written, int limit, DateTimeOffset windowEnd, DateTimeOffset now)
    {
        SweepIfDue(now);
        var entry = _byKey.GetOrAdd(key, _ => new Entry(limit, windowEnd));
        var next = written.ETag.Length == 0 ? null : new Written(written);
        while (true)
        {
            var current = Volatile.Read(ref entry.LastWritten);
            if ((current is not null && current.Count >= written.Count) || Interlocked.CompareExchange(ref entry.LastWritten, next, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Tokens the next refill of <paramref name="key"/> counts (before waiters): <paramref name="reservation"/>, or more
    /// while this instance is the subject's only writer (<see cref="SizeNextReservation"/>).
    /// </summary>
    public int NextReservation(CounterKey key, int reservation) =>
        _byKey.TryGetValue(key, out var entry) ? Math.Max(reservation, Volatile.Read(ref entry.NextReservation)) : reservation;

    /// <summary>
    /// After a committed refill. A write that went through on this instance's own last ETag proves nobody else counted
    /// the subject since; while every refill of the window has been such a write (or its first count), this instance is
    /// the subject's only writer, what it reserves only it spends, and the next reservation doubles (up to
    /// <paramref name="max"/>). Any other write (a stale hint re-read, a counter another instance started) marks the
    /// window shared: the reservation returns to <paramref name="reservation"/> for the rest of the window, so instances
    /// sharing a subject keep the base reservation and its bound. One refill is in flight per counter.
    /// </summary>
    public void SizeNextReservation(CounterKey key, bool soleWriter, int reservation, int max)
    {
        if (!_byKey.TryGetValue(key, out var entry))
        {
            return;
        }

        if (!soleWriter)
        {
            entry.Shared = true;
        }

        Volatile.Write(ref entry.NextReservation, entry.Shared ? reservation : Math.Min(max, Math.Max(reservation, entry.NextReservation) * 2));
    }

    /// <summary>Keeps <paramref name="spare"/> counted tokens for later requests of the same window (after <see cref="RememberWrite"/>).</summary>
    public void Reserve(CounterKey key, int spare)
    {
        if (spare > 0 && _byKey.TryGetValue(key, out var entry))
        {
            Interlocked.Add(ref entry.Reserved, spare);
        }
    }

    /// <summary>Drops ended windows at most once per <see cref="SweepEvery"/>, whatever the size: one caller sweeps.</summary>
    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, now.UtcTicks + SweepEvery.Ticks, due) != due)
        {
            return;
        }

        foreach (var (key, entry) in _byKey)
        {
            if (entry.WindowEnd <= now)
            {
                _byKey.TryRemove(key, out _);
            }
        }
    }

    private sealed record Written(CounterSnapshot Snapshot)
    {
        public int Count => Snapshot.Count;
    }

    private sealed class Entry(int limit, DateTimeOffset windowEnd)
    {
        public readonly int Limit = limit;
        public readonly DateTimeOffset WindowEnd = windowEnd;
        public int Reserved;
        public int NextReservation;
        public bool Shared;
        public Written? LastWritten;
    }
}
