namespace Huntaze.Functions.Platform.Resilience;

/// <summary>The one retry delay of the app: capped exponential growth with "equal jitter".</summary>
public static class Backoff
{
    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (0 for the first): half of
    /// <c>min(max, first · 2^retry)</c> plus a random share of the other half, so racing callers spread
    /// out and none retries in a hot loop.
    /// </summary>
    public static TimeSpan Delay(int retry, TimeSpan first, TimeSpan max)
    {
        var cap = Math.Min(max.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry, 0, 30)));
#pragma warning disable CA5394 // Jitter only spreads retries; it protects nothing.
        return TimeSpan.FromMilliseconds((cap / 2) + (Random.Shared.NextDouble() * cap / 2));
#pragma warning restore CA5394
    }
}
