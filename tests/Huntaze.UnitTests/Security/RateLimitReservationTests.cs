using Huntaze.Functions.Security;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.UnitTests.Security;

/// <summary>Token reservations: fewer storage writes for large limits, never more than the limit admitted.</summary>
public sealed class RateLimitReservationTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Small limits stay exact (a reservation of 1 that never grows, nothing counted ahead); reads count 12 at a time,
    /// growing to 60, and count the next window's first 12 in the window's last 5 s.
    /// </summary>
    [Theory]
    [InlineData(RateLimitPolicies.StepWrites, 1, 1, -1)]
    [InlineData(RateLimitPolicies.Snooze, 1, 1, -1)]
    [InlineData(RateLimitPolicies.PrivacyRequests, 1, 1, -1)]
    [InlineData(RateLimitPolicies.Anonymous, 1, 1, -1)]
    [InlineData(RateLimitPolicies.AlertRelay, 2, 2, -1)]
    [InlineData(RateLimitPolicies.Reads, 12, 60, 5)]
    public void ReservationSizes_DefaultPolicies_ExactLimitsNeverGrow(string policy, int reservation, int max, int nextWindowLead)
    {
        var settings = new RateLimitOptions().Policies[policy];

        Assert.Equal((reservation, max, nextWindowLead), (settings.EffectiveReservationSize, settings.EffectiveMaxReservationSize, settings.NextWindowLeadSeconds));
    }

    /// <summary>
    /// A subject reading in a window's last seconds has the next window's first reservation counted ahead, in the
    /// background: when the window turns, its next request needs no store call (ADR 0003, "Across a window's end").
    /// </summary>
    [Fact]
    public async Task AcquireAsync_ReadsInTheWindowsLastSeconds_NextWindowStartsWithoutAStoreCall()
    {
        var store = new InMemoryRateLimitStore();
        var time = new FakeTimeProvider(Noon.AddSeconds(56));
        var limiter = Limiter(store, time);
        var next = FixedWindow.At(Noon.AddSeconds(60), 60).Index.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

        Assert.True((await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None)).Admitted);
        await WaitUntilAsync(() => store.CountOf(k => k.Row == next) == 12);
        time.Advance(TimeSpan.FromSeconds(5));
        var calls = (store.Reads, store.Writes);
        var decision = await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None);

        Assert.True(decision.Admitted);
        Assert.Equal(calls, (store.Reads, store.Writes));
        Assert.Equal(599, decision.Remaining);
    }

    /// <summary>
    /// The same when the subject already holds a reservation as the window's last seconds begin: a token spent from it
    /// (decided without a store call) still counts the next window's first reservation ahead.
    /// </summary>
    [Fact]
    public async Task AcquireAsync_ReservedTokenSpentInTheWindowsLastSeconds_NextWindowCountedAhead()
    {
        var store = new InMemoryRateLimitStore();
        var time = new FakeTimeProvider(Noon.AddSeconds(30));
        var limiter = Limiter(store, time);
        var next = FixedWindow.At(Noon.AddSeconds(60), 60).Index.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True((await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None)).Admitted);
        time.Advance(TimeSpan.FromSeconds(26));
        var writes = store.Writes;

        var decision = await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None);

        Assert.True(decision.Admitted);
        Assert.Equal(598, decision.Remaining); // the second token of the reservation counted at 30 s
        await WaitUntilAsync(() => store.CountOf(k => k.Row == next) == 12);
        Assert.Equal(writes + 1, store.Writes);
    }

    /// <summary>What is counted ahead is the next window's, within its limit: each window admits exactly its limit.</summary>
    [Fact]
    public async Task AcquireAsync_ReadsAcrossAWindowsEnd_AdmitsExactlyTheLimitInEach()
    {
        var options = new RateLimitOptions();
        options.Policies[RateLimitPolicies.Reads].Limit = 30;
        options.Policies[RateLimitPolicies.Reads].ReservationSize = 12;
        var store = new InMemoryRateLimitStore();
        var time = new FakeTimeProvider(Noon.AddSeconds(57));
        var limiter = Limiter(store, time, options);

        var admitted = new int[2];
        for (var window = 0; window < 2; window++)
        {
            for (var i = 0; i < 40; i++)
            {
                admitted[window] += (await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None)).Admitted ? 1 : 0;
                await Task.Yield();
            }

            time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal([30, 30], admitted);
        Assert.Equal(60, store.CountOf(_ => true));
    }

    [Fact]
    public async Task AcquireAsync_ReadsSequentialPastLimit_AdmitsExactlyLimitWithReservationsGrowingToTheMax()
    {
        var store = new InMemoryRateLimitStore();
        var limiter = Limiter(store, new FakeTimeProvider(Noon));

        var admitted = 0;
        for (var i = 0; i < 700; i++)
        {
            admitted += (await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None)).Admitted ? 1 : 0;
        }

        Assert.Equal(600, admitted);
        // The only writer: 12 (the first count), 12, 24, 48, then 60 a time, and the 24 the limit leaves; 50 writes
        // with reservations that never grow, 600 with none.
        Assert.Equal(13, store.Writes);
        Assert.Equal(600, store.CountOf(_ => true));
    }

    /// <summary>A request that spends a reserved token calls no store, so it starts no 5 s budget (a timer) either.</summary>
    [Fact]
    public async Task AcquireAsync_ReservedTokenSpent_CreatesNoTimer()
    {
        var time = new TimerCountingClock(Noon);
        var limiter = Limiter(new InMemoryRateLimitStore(), time);
        Assert.True((await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None)).Admitted); // counts 12
        var timersAfterRefill = time.TimersCreated;

        for (var i = 0; i < 6; i++) // 11 reserved; counting ahead starts only when 4 are left
        {
            Assert.True((await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None)).Admitted);
        }

        Assert.True(timersAfterRefill > 0, "the refill's budget is a timer on this clock");
        Assert.Equal(timersAfterRefill, time.TimersCreated);
    }

    [Fact]
    public async Task AcquireAsync_RemainingWithReservation_CountsDownByOne()
    {
        var limiter = Limiter(new InMemoryRateLimitStore(), new FakeTimeProvider(Noon));

        var first = await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None);
        var second = await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None);

        Assert.Equal(599, first.Remaining);
        Assert.Equal(598, second.Remaining);
    }

    [Fact]
    public async Task AcquireAsync_TwoInstancesRacingOneStore_NeverAdmitMoreThanLimit()
    {
        // Real delays for the losers' backoff, as in production, on a clock that stays in one window.
        var store = new InMemoryRateLimitStore();
        var time = new FrozenClock(Noon);
        var options = new RateLimitOptions();
        options.Policies[RateLimitPolicies.Reads].Limit = 100;
        options.Policies[RateLimitPolicies.Reads].ReservationSize = 10;
        RateLimiter[] instances = [Limiter(store, time, options), Limiter(store, time, options)];

        var decisions = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            instances[i % 2].AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None).AsTask()));

        var admitted = decisions.Count(d => d.Admitted);
        Assert.Equal(100, store.CountOf(_ => true));
        Assert.InRange(admitted, 100 - (2 * (10 + 3)), 100); // stranded per instance: at most a reservation and the third counted ahead
    }

    [Fact]
    public async Task AcquireAsync_NewWindow_StartsAFreshReservation()
    {
        var store = new InMemoryRateLimitStore();
        var time = new FakeTimeProvider(Noon);
        var limiter = Limiter(store, time);
        for (var i = 0; i < 600; i++)
        {
            await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        var next = await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None);

        Assert.True(next.Admitted);
        Assert.Equal(599, next.Remaining);
    }

    [Fact]
    public async Task AcquireAsync_SequentialOnOneInstance_ReadsTheCounterOnce()
    {
        var store = new InMemoryRateLimitStore();
        var limiter = Limiter(store, new FakeTimeProvider(Noon));

        for (var i = 0; i < 20; i++)
        {
            Assert.True((await limiter.AcquireAsync(RateLimitPolicies.StepWrites, "user:u1", CancellationToken.None)).Admitted);
        }

        Assert.Equal(1, store.Reads); // then each write states the ETag of this instance's last write
        Assert.Equal(20, store.Writes);
    }

    /// <summary>
    /// Two instances taking turns: each one's hint goes stale when the other writes, and still exactly the limit is
    /// admitted; for reads, each refill finds the other's write, so nobody's reservation grows past the base (12).
    /// </summary>
    [Theory]
    [InlineData(RateLimitPolicies.StepWrites, 30, 20, 20)]
    [InlineData(RateLimitPolicies.Reads, 700, 600, 50)]
    public async Task AcquireAsync_InstancesAlternating_AdmitExactlyTheLimitAtTheBaseReservation(string policy, int attempts, int limit, int writes)
    {
        var store = new InMemoryRateLimitStore();
        var time = new FrozenClock(Noon);
        RateLimiter[] instances = [Limiter(store, time), Limiter(store, time)];

        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            admitted += (await instances[i % 2].AcquireAsync(policy, "user:u1", CancellationToken.None)).Admitted ? 1 : 0;
        }

        Assert.Equal(limit, admitted);
        Assert.Equal(writes, store.Writes);
        Assert.True(store.Conflicts > 0, "each instance's hint went stale when the other wrote");
    }

    /// <summary>
    /// A steady stream never waits on the store: with a third of a reservation left, the next one is counted in the
    /// background while requests keep spending what is left (here the store's write hangs until released).
    /// </summary>
    [Fact]
    public async Task AcquireAsync_ReservationRunningLow_CountsTheNextOneWhileRequestsSpendTheRest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writesStarted = 0;
        var store = new InMemoryRateLimitStore();
        store.WriteHook = ct => Interlocked.Increment(ref writesStarted) == 1 ? Task.CompletedTask : release.Task.WaitAsync(ct);
        var limiter = Limiter(store, new FakeTimeProvider(Noon));
        for (var i = 0; i < 8; i++)
        {
            Assert.True((await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None)).Admitted);
        }

        // 12 counted by the first request; the 8th take left 4 and started the next count, which the store holds.
        await WaitUntilAsync(() => Volatile.Read(ref writesStarted) == 2);
        Assert.Equal(1, store.Writes);
        var spent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None).AsTask()))
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.All(spent, d => Assert.True(d.Admitted));

        var waiting = limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted); // the 13th needs the background count, which the store holds
        release.SetResult();
        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).Admitted);
        Assert.Equal(2, store.Writes);
        Assert.Equal(24, store.CountOf(_ => true));
    }

    /// <summary>One user, many concurrent requests (tabs, a NAT address): they share refills instead of racing each other for the counter.</summary>
    [Fact]
    public async Task AcquireAsync_64ConcurrentFromOneSubject_NoRacesWithinTheInstance()
    {
        var store = new InMemoryRateLimitStore { Latency = TimeSpan.FromMilliseconds(5) };
        var options = new RateLimitOptions();
        options.Policies[RateLimitPolicies.Reads].Limit = 100_000;
        options.Policies[RateLimitPolicies.Reads].ReservationSize = 12;
        options.Policies[RateLimitPolicies.Reads].MaxReservationSize = 12;
        var limiter = Limiter(store, new FrozenClock(Noon), options);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None).AsTask())));

        Assert.All(decisions, d => Assert.True(d.Admitted));
        Assert.Equal(0, store.Conflicts);
        Assert.InRange(store.Writes, 1, 8);
        // Every admission counted; left over at most one reservation and the third counted ahead (16 for 12).
        Assert.InRange(store.CountOf(_ => true), 64, 64 + 12 + 4);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    [Fact]
    public async Task AcquireAsync_OneSubjectManyConcurrentFarBelowLimit_AdmitsEveryRequest()
    {
        // A hot user (tabs, a shared NAT address): 32 requests at a time on one counter, far below the limit. Each
        // refill's tokens must reach the requests waiting on it; none may be refused for losing races to arrivals.
        var store = new InMemoryRateLimitStore { Latency = TimeSpan.FromMilliseconds(2) };
        var refused = 0;

        await HotSubjectAsync(store, limit: 1_000_000, workers: 32, requests: 150, (decision, _) => Interlocked.Add(ref refused, decision.Admitted ? 0 : 1));

        Assert.Equal(0, refused);
        Assert.InRange(store.CountOf(_ => true), 32 * 150, (32 * 150) + (12 * 32));
    }

    /// <summary>
    /// <paramref name="requests"/> reads of one subject from each of <paramref name="workers"/> concurrent loops (reservations
    /// of 12); each decision goes to <paramref name="observe"/> with the store writes that completed while it waited.
    /// </summary>
    private static Task HotSubjectAsync(InMemoryRateLimitStore store, int limit, int workers, int requests, Action<RateLimitDecision, int> observe)
    {
        var options = new RateLimitOptions();
        options.Policies[RateLimitPolicies.Reads].Limit = limit;
        options.Policies[RateLimitPolicies.Reads].ReservationSize = 12;
        options.Policies[RateLimitPolicies.Reads].MaxReservationSize = 12;
        var limiter = Limiter(store, new FrozenClock(Noon), options);
        return Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < requests; i++)
            {
                var writesBefore = Volatile.Read(ref store.Writes);
                var decision = await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:hot", CancellationToken.None);
                observe(decision, Volatile.Read(ref store.Writes) - writesBefore);
            }
        })));
    }

    private static RateLimiter Limiter(InMemoryRateLimitStore store, TimeProvider time, RateLimitOptions? options = null) =>
        new(store, Options.Create(options ?? new RateLimitOptions()), time, NullLogger<RateLimiter>.Instance);

    /// <summary>A fake clock that counts the timers created on it.</summary>
    private sealed class TimerCountingClock(DateTimeOffset now) : FakeTimeProvider(now)
    {
        public int TimersCreated;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref TimersCreated);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>The system's timers (so backoff delays elapse) with a clock that never leaves its window.</summary>
    private sealed class FrozenClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
