namespace Huntaze.Functions.Security.RateLimiting;

internal enum RefillOutcome
{
    /// <summary>The waiters got tokens: counted in the store and reserved on this instance, or taken from the reserve.</summary>
    Refilled,

    LimitReached,

    /// <summary>Every compare-and-swap round lost to another instance.</summary>
    Contended,
}

/// <summary>
/// What a refill ended with and the tokens handed to the requests that waited on it: each claims one here before any
/// request that arrived later can take from the reserve. A refill that stopped at the limit may still hand out the
/// tokens the reserve held.
/// </summary>
internal sealed class RefillResult(RefillOutcome outcome)
{
    private int _granted;
    private int _refillAhead;

    public RefillOutcome Outcome { get; } = outcome;

    /// <summary>The window's remaining budget when the grant was taken (an estimate, for the rate-limit headers).</summary>
    public int Remaining { get; private set; }

    internal void Grant(int tokens, int remaining, bool refillAhead)
    {
        _granted = tokens;
        Remaining = remaining;
        _refillAhead = refillAhead ? 1 : 0;
    }

    /// <summary>Claims one of the tokens granted to this refill's waiters; false when they are all claimed.</summary>
    public bool TryClaim()
    {
        while (true)
        {
            var left = Volatile.Read(ref _granted);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _granted, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    /// <summary>True once, for the one claimant that should start counting the next reservation ahead.</summary>
    public bool TakeRefillAhead() => Interlocked.Exchange(ref _refillAhead, 0) == 1;
}
