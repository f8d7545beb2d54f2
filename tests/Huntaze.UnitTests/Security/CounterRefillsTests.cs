using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.UnitTests.Security;

/// <summary>Refills of one counter: each counts for the requests that joined it, and none after.</summary>
public sealed class CounterRefillsTests
{
    private static readonly CounterKey Key = new(new DateOnly(2026, 11, 25), "reads_hot", "1");

    [Fact]
    public async Task RunOrJoinAsync_BurstArrivesWhileARefillCounts_NextRefillCountsForAllOfIt()
    {
        // One request starts a refill; 40 arrive while it is on the wire. The first refill counted a reservation (12)
        // for its one request, so the 40 wait for the next one, which takes the 11 it left in the reserve and counts
        // 29: every request gets a token from the refill it waited on. (Before, the 40 joined the refill on the wire,
        // which had counted for one: 29 of them found no token and went round again.)
        var reserve = new Reserve();
        var asked = new List<int>();
        var firstOnTheWire = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<(RefillOutcome, int)> Refill(int waiters, CancellationToken cancellationToken)
        {
            bool first;
            lock (asked)
            {
                asked.Add(waiters);
                first = asked.Count == 1;
            }

            if (first)
            {
                firstOnTheWire.SetResult();
                await release.Task.WaitAsync(cancellationToken);
            }

            return (RefillOutcome.Refilled, Math.Max(12, waiters));
        }

        var refills = new CounterRefills();
        Task<RefillResult> Join() => refills.RunOrJoinAsync(Key, Refill, reserve.Grant, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None, TestContext.Current.CancellationToken);

        var first = Join();
        await firstOnTheWire.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var burst = Enumerable.Range(0, 40).Select(_ => Join()).ToList();
        release.SetResult();
        var results = await Task.WhenAll(burst.Prepend(first)).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.All(results, r => Assert.True(r.TryClaim(), "a request found no token in the refill it waited on"));
        Assert.Equal([1, 29], asked);
        Assert.Equal(0, reserve.Left);
    }

    /// <summary>The limiter's hand-out: counted tokens to the waiters first, the rest to the reserve, the reserve to waiters left without.</summary>
    private sealed class Reserve
    {
        public int Left { get; private set; }

        public (int Taken, int Remaining, bool RefillAhead) Grant(int waiters, int counted)
        {
            lock (this)
            {
                var handed = Math.Min(waiters, counted);
                Left += counted - handed;
                var more = Math.Min(Left, waiters - handed);
                Left -= more;
                return (handed + more, 0, false);
            }
        }
    }
}
