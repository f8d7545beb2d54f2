namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// Refills of a counter on this instance run one at a time, each for a closed group of waiters:
/// <list type="bullet">
/// <item>requests arriving while no refill is open start one; requests arriving while it is open join it;</item>
/// <item>a refill closes when it starts counting, and counts a token for every request that joined it (at least the
/// reservation), so none of its waiters is left without one unless the limit is reached;</item>
/// <item>requests arriving while it counts open the next refill, which starts when this one ends: first from the tokens
/// it left in the reserve, then from the store for the rest.</item>
/// </list>
/// So a subject with many concurrent requests (a user with many tabs, a NAT address) waits at most for the refill in
/// flight and its own, and never races itself for the store (which would make it lose, back off and serialise). A
/// refill runs under its own budget, not any one caller's: a caller that goes away cannot fail the others.
/// </summary>
internal sealed class CounterRefills
{
    private readonly Dictionary<CounterKey, Slot> _slots = [];

    /// <param name="refill">Counts tokens in the store for the given number of requests (at least), within <paramref name="timeout"/>.</param>
    /// <param name="grant">Given the waiters and the tokens a refill counted (0: none, the reserve only), hands tokens out (the rest to the reserve): how many waiters got one, the remaining budget, and whether the reserve is low enough to count ahead.</param>
    /// <param name="budget">The caller's own deadline for waiting.</param>
    public async Task<RefillResult> RunOrJoinAsync(
        CounterKey key, Func<int, CancellationToken, Task<(RefillOutcome Outcome, int Tokens)>> refill, Func<int, int, (int Taken, int Remaining, bool RefillAhead)> grant,
        TimeSpan timeout, TimeProvider time, CancellationToken budget, CancellationToken cancellationToken)
    {
        Flight flight;
        Flight? previous = null;
        bool owner;
        lock (_slots)
        {
            var slot = SlotOf(key);
            owner = slot.Open is null;
            if (owner)
            {
                slot.Open = new Flight();
                previous = slot.Running;
            }

            flight = slot.Open!;
            flight.Waiters++;
        }

        if (owner)
        {
            _ = RunAsync(key, flight, previous, refill, grant, timeout, time);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget, cancellationToken);
        return await flight.Result.Task.WaitAsync(linked.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a refill nobody waits for yet, unless one is open or counting: requests arriving while it runs spend the
    /// tokens still reserved, and open the next refill only if they run out. Its failure is left to the next refill a
    /// request waits on (which meets the same store and applies the policy's failure mode).
    /// </summary>
    public void StartIfIdle(
        CounterKey key, Func<int, CancellationToken, Task<(RefillOutcome Outcome, int Tokens)>> refill, Func<int, int, (int Taken, int Remaining, bool RefillAhead)> grant, TimeSpan timeout, TimeProvider time)
    {
        Flight flight;
        lock (_slots)
        {
            if (_slots.ContainsKey(key))
            {
                return;
            }

            flight = new Flight();
            SlotOf(key).Open = flight;
        }

        _ = flight.Result.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _ = RunAsync(key, flight, null, refill, grant, timeout, time);
    }

    private async Task RunAsync(
        CounterKey key, Flight flight, Flight? previous, Func<int, CancellationToken, Task<(RefillOutcome Outcome, int Tokens)>> refill,
        Func<int, int, (int Taken, int Remaining, bool RefillAhead)> grant, TimeSpan timeout, TimeProvider time)
    {
        // Let the requests that arrive with this one join before it closes: until the refill in flight has ended, or
        // for one turn of the scheduler when none is.
        if (previous is null)
        {
            await Task.Yield();
        }
        else
        {
            await previous.Ended.Task.ConfigureAwait(false);
        }

        int waiters;
        lock (_slots)
        {
            var slot = _slots[key];
            slot.Open = null;
            slot.Running = flight;
            waiters = flight.Waiters;
        }

        RefillResult? result = null;
        Exception? failure = null;
        try
        {
            using var deadline = new CancellationTokenSource(timeout, time);
            result = await CountAsync(waiters, refill, grant, deadline.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every waiter gets the refill's failure; none is lost.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            failure = exception;
        }
        finally
        {
            // The next refill of the counter may start: it finds in the reserve whatever this one left there.
            lock (_slots)
            {
                var slot = _slots[key];
                slot.Running = null;
                if (slot.Open is null)
                {
                    _slots.Remove(key);
                }
            }

            flight.Ended.TrySetResult();
        }

        _ = failure is null ? flight.Result.TrySetResult(result!) : flight.Result.TrySetException(failure);
    }

    /// <summary>
    /// Grants the waiters the tokens still reserved and counts the rest in the store: never fewer than were asked for
    /// unless the limit is reached. A refill counted ahead (no waiters) puts everything it counted in the reserve.
    /// </summary>
    private static async Task<RefillResult> CountAsync(
        int waiters, Func<int, CancellationToken, Task<(RefillOutcome Outcome, int Tokens)>> refill,
        Func<int, int, (int Taken, int Remaining, bool RefillAhead)> grant, CancellationToken cancellationToken)
    {
        var reserved = waiters > 0 ? grant(waiters, 0) : default;
        if (waiters > 0 && reserved.Taken == waiters)
        {
            return Granted(RefillOutcome.Refilled, reserved, 0);
        }

        var wanted = waiters - reserved.Taken;
        var (outcome, tokens) = await refill(wanted, cancellationToken).ConfigureAwait(false);
        return outcome == RefillOutcome.Refilled
            ? Granted(outcome, grant(wanted, tokens), reserved.Taken)
            : Granted(outcome, reserved with { RefillAhead = false }, 0);
    }

    private static RefillResult Granted(RefillOutcome outcome, (int Taken, int Remaining, bool RefillAhead) grant, int alsoTaken)
    {
        var result = new RefillResult(outcome);
        result.Grant(grant.Taken + alsoTaken, grant.Remaining, grant.RefillAhead);
        return result;
    }

    private Slot SlotOf(CounterKey key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            slot = new Slot();
            _slots[key] = slot;
        }

        return slot;
    }

    /// <summary>A counter's refills: the one counting, and the one requests join meanwhile.</summary>
    private sealed class Slot
    {
        public Flight? Running { get; set; }

        public Flight? Open { get; set; }
    }

    private sealed class Flight
    {
        public TaskCompletionSource<RefillResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set once the result is published and the flight no longer counts as running.</summary>
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Waiters { get; set; }
    }
}
