using Azure;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.UnitTests.Security;

public sealed class RateLimiterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FixedWindow_At_AlignsOnEpochMultiples()
    {
        var window = FixedWindow.At(Noon.AddSeconds(42.5), 60);

        Assert.Equal(Noon, window.Start);
        Assert.Equal(Noon.AddMinutes(1), window.End);
        Assert.Equal(18, window.SecondsUntilReset(Noon.AddSeconds(42.5)));
    }

    [Fact]
    public void FixedWindow_At_DayWindowStartsAtUtcMidnight()
    {
        var window = FixedWindow.At(Noon, 86_400);

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), window.Start);
        Assert.Equal(43_200, window.SecondsUntilReset(Noon));
    }

    [Fact]
    public void FixedWindow_SecondsUntilReset_AtLeastOne()
    {
        var window = FixedWindow.At(Noon.AddSeconds(59.9), 60);

        Assert.Equal(1, window.SecondsUntilReset(Noon.AddSeconds(59.9)));
    }

    [Fact]
    public async Task AcquireAsync_UpToLimit_AdmittedWithDecreasingRemaining()
    {
        var (limiter, _, _) = Create();

        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 20; i++)
        {
            decisions.Add(await limiter.AcquireAsync(RateLimitPolicies.StepWrites, "user:u1", CancellationToken.None));
        }

        Assert.All(decisions, d => Assert.True(d.Admitted));
        Assert.Equal(19, decisions[0].Remaining);
        Assert.Equal(0, decisions[^1].Remaining);
    }

    [Fact]
    public async Task AcquireAsync_OverLimit_RefusedWithSecondsToReset()
    {
        var (limiter, _, time) = Create();
        time.SetUtcNow(Noon.AddSeconds(15));
        for (var i = 0; i < 20; i++)
        {
            await limiter.AcquireAsync(RateLimitPolicies.StepWrites, "user:u1", CancellationToken.None);
        }

        var decision = await limiter.AcquireAsync(RateLimitPolicies.StepWrites, "user:u1", CancellationToken.None);

        Assert.False(decision.Admitted);
        Assert.Equal(45, decision.ResetSeconds);
    }

    [Fact]
    public async Task AcquireAsync_NextWindow_AdmittedAgain()
    {
        var (limiter, _, time) = Create();
        for (var i = 0; i < 3; i++)
        {
            await limiter.AcquireAsync(RateLimitPolicies.Snooze, "user:u1", CancellationToken.None);
        }

        time.Advance(TimeSpan.FromHours(12));
        var decision = await limiter.AcquireAsync(RateLimitPolicies.Snooze, "user:u1", CancellationToken.None);

        Assert.True(decision.Admitted);
    }

    [Fact]
    public async Task AcquireAsync_OtherUser_HasOwnBudget()
    {
        var (limiter, _, _) = Create();
        for (var i = 0; i < 3; i++)
        {
            await limiter.AcquireAsync(RateLimitPolicies.Snooze, "user:u1", CancellationToken.None);
        }

        var decision = await limiter.AcquireAsync(RateLimitPolicies.Snooze, "user:u2", CancellationToken.None);

        Assert.True(decision.Admitted);
    }

    [Fact]
    public async Task AcquireAsync_FiftyConcurrent_AtMostLimitAdmitted()
    {
        // Real time: the CAS loop's jittered backoff has to elapse for racing requests to retry.
        var store = new InMemoryRateLimitStore();
        var limiter = new RateLimiter(store, Microsoft.Extensions.Options.Options.Create(new RateLimitOptions()), TimeProvider.System, NullLogger<RateLimiter>.Instance);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => limiter.AcquireAsync(RateLimitPolicies.StepWrites, "user:u1", CancellationToken.None).AsTask())));

        var admitted = decisions.Count(d => d.Admitted);
        Assert.InRange(admitted, 1, 20);
        Assert.Equal(admitted, store.CountOf(_ => true));
    }

    [Fact]
    public async Task AcquireAsync_StoreDownForFailOpenPolicy_Admitted()
    {
        var (limiter, store, _) = Create();
        store.Failure = new RequestFailedException(503, "unavailable");

        var decision = await limiter.AcquireAsync(RateLimitPolicies.Reads, "user:u1", CancellationToken.None);

        Assert.True(decision.Admitted);
        Assert.True(decision.StoreUnavailable);
    }

    [Fact]
    public async Task AcquireAsync_StoreDownForWritePolicy_Refused()
    {
        var (limiter, store, _) = Create();
        store.Failure = new RequestFailedException(503, "unavailable");

        var decision = await limiter.AcquireAsync(RateLimitPolicies.StepWrites, "user:u1", CancellationToken.None);

        Assert.False(decision.Admitted);
        Assert.True(decision.StoreUnavailable);
    }

    /// <summary>ADR 0003: a store that answered once and then stops answering is an outage, not contention.</summary>
    [Theory]
    [InlineData(RateLimitPolicies.Reads, true)]
    [InlineData(RateLimitPolicies.Anonymous, true)]
    [InlineData(RateLimitPolicies.StepWrites, false)]
    public async Task AcquireAsync_StoreAnswersThenHangsPastBudget_PolicyFailureModeApplies(string policy, bool admitted)
    {
        var (limiter, store, time) = Create();
        var hanging = new TaskCompletionSource();
        store.WriteHook = async ct =>
        {
            hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        };

        var pending = limiter.AcquireAsync(policy, "user:u1", CancellationToken.None).AsTask();
        await hanging.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        time.Advance(RateLimiter.StoreTimeout);
        var decision = await pending.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(1, store.Reads);
        Assert.Equal(admitted, decision.Admitted);
        Assert.True(decision.StoreUnavailable);
    }

    [Fact]
    public void Headers_Decision_IetfDraftFormat()
    {
        var headers = RateLimitStep.Headers(new RateLimitDecision("step-writes", true, 20, 60, 7, 42));

        Assert.Equal("\"step-writes\";q=20;w=60", headers["RateLimit-Policy"]);
        Assert.Equal("\"step-writes\";r=7;t=42", headers["RateLimit"]);
    }

    [Fact]
    public void Options_PartialOverride_KeepsOtherDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RateLimits:step-writes:Limit"] = "5",
        }).Build();
        var options = new RateLimitOptions();

        configuration.GetSection(RateLimitOptions.Section).Bind(options.Policies);

        Assert.Equal(5, options.Policies[RateLimitPolicies.StepWrites].Limit);
        Assert.Equal(60, options.Policies[RateLimitPolicies.StepWrites].WindowSeconds);
        Assert.False(options.Policies[RateLimitPolicies.StepWrites].FailOpen);
    }

    [Fact]
    public void PartitionKey_DoesNotContainTheSubject()
    {
        var key = RateLimiter.PartitionKey(RateLimitPolicies.Anonymous, "ip:203.0.113.9");

        Assert.DoesNotContain("203.0.113.9", key, StringComparison.Ordinal);
        Assert.StartsWith("anonymous_", key, StringComparison.Ordinal);
    }

    [Fact]
    public void PartitionKey_AnySubject_PolicyAndFirst128BitsOfTheSubjectsSha256()
    {
        // The counters already stored are found again only if the key stays the same: hex of SHA-256(UTF-8), 32 digits.
        foreach (var subject in new[] { "ip:203.0.113.9", "user:" + new string('é', 400), "user:00000000-0000-0000-0000-000000000001" })
        {
            var expected = RateLimitPolicies.Reads + "_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(subject)))[..32];

            Assert.Equal(expected, RateLimiter.PartitionKey(RateLimitPolicies.Reads, subject));
        }
    }

    private static (RateLimiter Limiter, InMemoryRateLimitStore Store, FakeTimeProvider Time) Create()
    {
        var store = new InMemoryRateLimitStore();
        var time = new FakeTimeProvider(Noon);
        var limiter = new RateLimiter(store, Microsoft.Extensions.Options.Options.Create(new RateLimitOptions()), time, NullLogger<RateLimiter>.Instance);
        return (limiter, store, time);
    }
}
