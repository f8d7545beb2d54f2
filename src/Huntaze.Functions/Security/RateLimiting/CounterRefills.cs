namespace Huntaze.Functions.Security.RateLimiting;

internal enum RefillOutcome
{
    /// <summary>Tokens were counted in the store and reserved on this instance.</summary>
    Refilled,

    LimitReached,

    /// <summary>Every compare-and-swap round lost to another instance.</summary>
    Contended,
}

/// <summary>
/// What a refill ended with and, when it counted tokens, the tokens handed to the requests that waited on it:
/// each claims one here before any request that arrived later can take from the reserve.
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

/// <summary>
/// Single flight per counter: at most one refill of a counter is in flight on this instance, and requests
/// arriving meanwhile wait for it instead of racing it for the store (which would make them lose, back off
/// and serialise). The refill runs under its own budget, not any one caller's: a caller that goes away
/// cannot fail the others. When it has counted tokens, every request that joined it gets one of them before
/// the flight is published (the caller's <c>grant</c> takes them from the reserve under the same lock that
/// admits joiners), so requests arriving meanwhile cannot starve the ones that waited.
/// </summary>
internal sealed class CounterRefills
{
    private readonly Dictionary<CounterKey, Flight> _flights = [];

    /// <param name="refill">Runs the refill for the number of requests waiting when it starts, within <paramref name="timeout"/>.</param>
    /// <param name="grant">Given the waiters and the tokens the refill counted, hands them out (the rest to the reserve): how many waiters got one, the remaining budget, and whether the reserve is low enough to count ahead.</param>
    /// <param name="budget">The caller's own deadline for waiting.</param>
    public async Task<RefillResult> RunOrJoinAsync(
        CounterKey key, Func<int, CancellationToken, Task<(RefillOutcome Outcome, int Tokens)>> refill, Func<int, int, (int Taken, int Remaining, bool RefillAhead)> grant,
        TimeSpan timeout, TimeProvider time, CancellationToken budget, CancellationToken cancellationToken)
    {
        Flight flight;
        bool owner;
        lock (_flights)
        {
            owner = !_flights.TryGetValue(key, out flight!);
            if (owner)
            {
                flight = new Flight();
                _flights[key] = flight;
            }

            flight.Waiters++;
        }

        if (owner)
        {
            _ = RunAsync(key, flight, refill, grant, timeout, time);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget, cancellationToken);
        return await flight.Result.Task.WaitAsync(linked.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a refill nobody waits for, unless one is in flight already: requests arriving while it runs spend
    /// the tokens still reserved, and only join it if they run out. Its failure is left to the next refill a
    /// request waits on (which meets the same store and applies the policy's failure mode).
    /// </summary>
    public void StartIfIdle(
        CounterKey key, Func<int, CancellationToken, Task<(RefillOutcome Outcome, int Tokens)>> refill, Func<int, int, (int Taken, int Remaining, bool RefillAhead)> grant, TimeSpan timeout, TimeProvider time)
    {
        Flight flight;
        lock (_flights)
        {
            if (_flights.ContainsKey(key))
            {
                return;
            }

            flight = new Flight();
            _flights[key] = flight;
        }

        _ = flight.Result.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _ = RunAsync(key, flight, refill, grant, timeout, time);
    }

    private async Task RunAsync(
        CounterKey key, Flight flight, Func<int, CancellationToken, Task<(RefillOutcome Outcome, int Tokens)>> refill, Func<int, int, (int Taken, int Remaining, bool RefillAhead)> grant, TimeSpan timeout, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            // Let the requests that arrive with this one join before it decides how many tokens to count.
            await Task.Yield();
            int waiters;
            lock (_flights)
            {
                waiters = flight.Waiters;
            }

            var (outcome, tokens) = await refill(waiters, deadline.Token).ConfigureAwait(false);
            var result = new RefillResult(outcome);
            Action<int>? handOut = outcome == RefillOutcome.Refilled
                ? joined =>
                {
                    var (taken, remaining, refillAhead) = grant(joined, tokens);
                    result.Grant(taken, remaining, refillAhead);
                }
                : null;
            Complete(key, flight, handOut, () => flight.Result.TrySetResult(result));
        }
#pragma warning disable CA1031 // Every waiter gets the refill's failure; none is lost.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Complete(key, flight, null, () => flight.Result.TrySetException(exception));
        }
    }

    /// <summary>
    /// Removed before waiters wake, so a waiter that finds no token left starts the next refill. The waiters'
    /// tokens are taken under the lock that admits joiners: every request that joined is counted, none after.
    /// </summary>
    private void Complete(CounterKey key, Flight flight, Action<int>? handOut, Action publish)
    {
        lock (_flights)
        {
            _flights.Remove(key);
            // Always, even with nobody waiting (a refill counted ahead): what nobody waits for goes to the reserve.
            handOut?.Invoke(flight.Waiters);
        }

        publish();
    }

    private sealed class Flight
    {
        public TaskCompletionSource<RefillResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Waiters { get; set; }
    }
}
