namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>One policy's settings: <c>RateLimits__{policy}__Limit</c>, <c>__WindowSeconds</c>, <c>__FailOpen</c>.</summary>
public sealed class RateLimitPolicyOptions
{
    public int Limit { get; set; }

    public int WindowSeconds { get; set; }

    /// <summary>
    /// What happens when the counter store cannot be reached: admit (true) or answer 503 (false).
    /// docs/decisions/0003-rate-limit-algorithm.md gives the reasons for each default.
    /// </summary>
    public bool FailOpen { get; set; }

    /// <summary>
    /// Tokens an instance counts in the store with one compare-and-swap and then spends locally
    /// (<c>RateLimits__{policy}__ReservationSize</c>). Unset: <c>max(1, Limit / 50)</c>, so small limits
    /// (step writes, snoozes, privacy requests, anonymous calls) stay exact and large ones (reads) cost a
    /// storage round trip per dozen requests instead of two per request.
    /// </summary>
    public int? ReservationSize { get; set; }

    public int EffectiveReservationSize => Math.Clamp(ReservationSize ?? Limit / 50, 1, Math.Max(1, Limit));

    /// <summary>
    /// The most tokens one compare-and-swap may count while this instance is the only one counting a subject
    /// (<c>RateLimits__{policy}__MaxReservationSize</c>): the reservation doubles after each refill that committed on
    /// this instance's own last ETag, and falls back to <see cref="EffectiveReservationSize"/> as soon as another
    /// instance has counted (ADR 0003, "Growing reservations"). Unset: <c>Limit / 10</c> (reads: 60). Reservations
    /// under 3 are exact limits and never grow.
    /// </summary>
    public int? MaxReservationSize { get; set; }

    public int EffectiveMaxReservationSize => EffectiveReservationSize < 3
        ? EffectiveReservationSize
        : Math.Clamp(MaxReservationSize ?? Limit / 10, EffectiveReservationSize, Math.Max(1, Limit));

    /// <summary>
    /// Reserved tokens left on an instance when it counts the next reservation in the background: a third of the
    /// reservation, for reservations of at least 3 (reads: 12, so at 4). Smaller reservations (writes, snoozes,
    /// privacy requests, anonymous calls) are exact limits and never count ahead (-1: never reached).
    /// </summary>
    public int RefillAheadAt => EffectiveReservationSize >= 3 ? EffectiveReservationSize / 3 : -1;

    /// <summary>
    /// In a window's last this many seconds, an admitted request of a subject this instance has not counted in the next
    /// window yet counts that window's first reservation ahead (ADR 0003, "Across a window's end"): a tenth of the
    /// window, at most 5 s (reads: 5). Exact limits never count ahead (-1).
    /// </summary>
    public int NextWindowLeadSeconds => RefillAheadAt >= 0 ? Math.Min(5, WindowSeconds / 10) : -1;
}

/// <summary>The policies, keyed by name (section <c>RateLimits</c>); defaults are issue 3's limits.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public Dictionary<string, RateLimitPolicyOptions> Policies { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [RateLimitPolicies.StepWrites] = new() { Limit = 20, WindowSeconds = 60, FailOpen = false },
        [RateLimitPolicies.Snooze] = new() { Limit = 3, WindowSeconds = 86_400, FailOpen = false },
        [RateLimitPolicies.PrivacyRequests] = new() { Limit = 3, WindowSeconds = 86_400, FailOpen = false },
        [RateLimitPolicies.Reads] = new() { Limit = 600, WindowSeconds = 60, FailOpen = true },
        [RateLimitPolicies.Anonymous] = new() { Limit = 60, WindowSeconds = 60, FailOpen = true },
        [RateLimitPolicies.AlertRelay] = new() { Limit = 120, WindowSeconds = 60, FailOpen = true },
    };

    /// <summary>The longest window, which decides how long counter tables are kept.</summary>
    public TimeSpan LongestWindow => TimeSpan.FromSeconds(Policies.Values.Max(p => p.WindowSeconds));
}
