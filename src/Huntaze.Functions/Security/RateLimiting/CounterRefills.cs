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
/// Single flight per counter: at most one refill of a counter is in flight on this instance, and requests
/// arriving meanwhile wait for it instead of racing it for the store (which would make them lose, back off
/// and serialise). The refill runs under its own budget, not any one caller's: a caller that goes away
/// cannot fail the others.
/// </summary>
internal sealed class CounterRefills
{
    private readonly Dictionary<CounterKey, Flight> _flights = [];

    /// <param name="refill">Runs the refill for the number of requests waiting when it starts, within <paramref name="timeout"/>.</param>
    /// <param name="budget">The caller's own deadline for waiting.</param>
    public async Task<RefillOutcome> RunOrJoinAsync(
        CounterKey key, Func<int, CancellationToken, Task<RefillOutcome>> refill, TimeSpan timeout, TimeProvider time, CancellationToken budget, CancellationToken cancellationToken)
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
            _ = RunAsync(key, flight, refill, timeout, time);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget, cancellationToken);
        return await flight.Result.Task.WaitAsync(linked.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a refill nobody waits for, unless one is in flight already: requests arriving while it runs spend
    /// the tokens still reserved, and only join it if they run out. Its failure is left to the next refill a
    /// request waits on (which meets the same store and applies the policy's failure mode).
    /// </summary>
    public void StartIfIdle(CounterKey key, Func<int, CancellationToken, Task<RefillOutcome>> refill, TimeSpan timeout, TimeProvider time)
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
        _ = RunAsync(key, flight, refill, timeout, time);
    }

    private async Task RunAsync(CounterKey key, Flight flight, Func<int, CancellationToken, Task<RefillOutcome>> refill, TimeSpan timeout, TimeProvider time)
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

            var outcome = await refill(waiters, deadline.Token).ConfigureAwait(false);
            Complete(key, flight, () => flight.Result.TrySetResult(outcome));
        }
#pragma warning disable CA1031 // Every waiter gets the refill's failure; none is lost.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Complete(key, flight, () => flight.Result.TrySetException(exception));
        }
    }

    /// <summary>Removed before waiters wake, so a waiter that finds no token left starts the next refill.</summary>
    private void Complete(CounterKey key, Flight flight, Action publish)
    {
        lock (_flights)
        {
            _flights.Remove(key);
        }

        publish();
    }

    private sealed class Flight
    {
        public TaskCompletionSource<RefillOutcome> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Waiters { get; set; }
    }
}
