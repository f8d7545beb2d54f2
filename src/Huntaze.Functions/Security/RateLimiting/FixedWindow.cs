namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// Fixed windows aligned on the Unix epoch: every instance computes the same window from the time alone,
/// so the counter's row key is the coordination (docs/decisions/0003-rate-limit-algorithm.md).
/// </summary>
public readonly record struct FixedWindow(long Index, DateTimeOffset Start, DateTimeOffset End)
{
    public static FixedWindow At(DateTimeOffset now, int windowSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSeconds, 1);
        var index = Math.DivRem(now.ToUnixTimeSeconds(), windowSeconds, out var remainder);
        if (remainder < 0)
        {
            index--;
        }

        var start = DateTimeOffset.FromUnixTimeSeconds(index * windowSeconds);
        return new FixedWindow(index, start, start.AddSeconds(windowSeconds));
    }

    /// <summary>Whole seconds until the window resets, at least 1 (for <c>Retry-After</c> and <c>t=</c>).</summary>
    public int SecondsUntilReset(DateTimeOffset now) =>
        (int)Math.Max(1, Math.Ceiling((End - now).TotalSeconds));
}

/// <summary>The limiter's answer, enough to write <c>Retry-After</c> and the <c>RateLimit</c> headers.</summary>
public sealed record RateLimitDecision(string Policy, bool Admitted, int Limit, int WindowSeconds, int Remaining, int ResetSeconds, bool StoreUnavailable = false);
