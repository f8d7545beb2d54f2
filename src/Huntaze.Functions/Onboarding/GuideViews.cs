using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Caching;
using Huntaze.Functions.Platform.Http;

namespace Huntaze.Functions.Onboarding;

/// <summary>
/// The guide as last rendered for each user on this instance, reused while nothing it was rendered from changed: the
/// stored guide (its storage ETag, which every write changes), the steps offered (the catalog's own definitions, in
/// order) and whether a snooze is running (the only part of the view that moves with the clock). The guide is still
/// read on every request; only the calculation, the serialization and the hash are spared. A user without a stored
/// guide (new, or erased) is never cached, and that read drops what was. Bounded: an entry (the view and its JSON) is
/// under 10 KB for the catalog as shipped (9 steps, about 4 KB of JSON), so <see cref="Capacity"/> keeps it under 20 MB; an entry lasts
/// <see cref="MaxAge"/> at most.
/// </summary>
public sealed class GuideViews(TimeProvider time)
{
    public const int Capacity = 2_000;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly BoundedCache<Rendered> _rendered = new(time, Capacity);

    public JsonRepresentation Render(IReadOnlyList<StepDefinition> offered, ProgressSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(snapshot);
        var snoozed = snapshot.State.Value.SnoozedUntil > now;
        if (snapshot.ETag is not { } etag)
        {
            _rendered.Remove(snapshot.UserId);
            return JsonRepresentation.Of(GuideCalculator.Build(offered, snapshot, now));
        }

        if (_rendered.TryGet(snapshot.UserId, out var held) && held.ETag == etag && held.Snoozed == snoozed && held.Offered.SequenceEqual(offered, ReferenceEqualityComparer.Instance))
        {
            return held.View;
        }

        var view = JsonRepresentation.Of(GuideCalculator.Build(offered, snapshot, now));
        _rendered.Set(snapshot.UserId, new Rendered(etag, [.. offered], snoozed, view), now + MaxAge);
        return view;
    }

    private sealed record Rendered(Azure.ETag ETag, StepDefinition[] Offered, bool Snoozed, JsonRepresentation View);
}
