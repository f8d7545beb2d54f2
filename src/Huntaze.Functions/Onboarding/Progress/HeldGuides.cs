using System.Diagnostics.CodeAnalysis;
using Huntaze.Functions.Platform.Caching;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// The guide of each user as this instance last read or committed it (ADR 0019). A change may be decided over it
/// instead of reading first: its commit is conditional on the held ETag like any commit, so it can only succeed if
/// nobody wrote since, and anything else (a lost race, a refusal, a no-op) is decided again over a fresh read
/// (<see cref="ProgressUpdates"/>). Nothing is ever answered from it unverified; reads always go to storage.
/// Bounded like <see cref="GuideViews"/>: <see cref="Capacity"/> users, each one parsed guide (a step's answers are at
/// most 4 KB); an entry lasts <see cref="MaxAge"/> at most, and a removal (erasure, retention) or a lost race on this
/// instance drops it at once.
/// </summary>
public sealed class HeldGuides(TimeProvider time)
{
    public const int Capacity = 2_000;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly BoundedCache<ProgressSnapshot> _held = new(time, Capacity);

    public bool TryGet(string userId, [NotNullWhen(true)] out ProgressSnapshot? snapshot)
    {
        var found = _held.TryGet(userId, out var held);
        snapshot = found ? held : null;
        return found;
    }

    /// <summary>Holds <paramref name="snapshot"/> as the user's guide; one that is not stored (no ETag) drops what was held.</summary>
    public void Hold(ProgressSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.ETag is null)
        {
            _held.Remove(snapshot.UserId);
            return;
        }

        _held.Set(snapshot.UserId, snapshot, time.GetUtcNow() + MaxAge);
    }

    public void Forget(string userId) => _held.Remove(userId);
}
