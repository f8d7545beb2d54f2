using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Huntaze.Functions.Observability;
using Huntaze.Functions.Platform.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// A distributed fixed-window limiter: one counter per (policy, subject, window) in the shared store,
/// incremented by ETag compare-and-swap, so every instance sees one count and no more than the limit is
/// admitted however many requests race (docs/decisions/0003-rate-limit-algorithm.md). Within an instance,
/// requests of one subject never race each other for the store: one refill is in flight per counter and
/// counts tokens for everyone waiting on it, and those arriving meanwhile wait for the next
/// (<see cref="CounterRefills"/>), so a subject with many concurrent requests (a user with many tabs, a NAT
/// address) waits for two refills at most.
/// </summary>
public sealed partial class RateLimiter(IRateLimitStore store, IOptions<RateLimitOptions> options, TimeProvider time, ILogger<RateLimiter> logger)
{
    /// <summary>Compare-and-swap rounds one refill may lose to other instances before the window counts as contended.</summary>
    public const int MaxRounds = 20;

    /// <summary>How long a decision may wait on the store before the policy's failure mode applies.</summary>
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(5);

    private static readonly Counter<long> Decisions = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.ratelimit.decisions", description: "Rate-limit decisions by policy and outcome.");

    private readonly CounterHints _counters = new();
    private readonly CounterRefills _refills = new();

    /// <summary>A policy's settings; an unknown policy is a defect.</summary>
    public RateLimitPolicyOptions Settings(string policy) =>
        options.Value.Policies.TryGetValue(policy, out var settings) ? settings : throw new InvalidOperationException($"Unknown rate-limit policy '{policy}'.");

    public ValueTask<RateLimitDecision> AcquireAsync(string policy, string subject, CancellationToken cancellationToken)
    {
        var settings = Settings(policy);
        var now = time.GetUtcNow();
        var window = FixedWindow.At(now, settings.WindowSeconds);
        var key = KeyOf(window, PartitionKey(policy, subject));
        var reset = window.SecondsUntilReset(now);

        // Most requests spend a reserved token and leave nothing to count ahead: no store call, no budget (a timer),
        // no task; decided here. The others go the long way, with the token they may have taken.
        if (_counters.TryTake(key, out var left, out var reservedLeft))
        {
            var refillAhead = RefillsAhead(settings, reservedLeft);
            if (!refillAhead && !CountsNextWindow(settings, reset))
            {
                return ValueTask.FromResult(AdmittedDecision(policy, settings, left, reset));
            }

            return new ValueTask<RateLimitDecision>(AcquireAsync(policy, settings, window, key, reset, (left, refillAhead), cancellationToken));
        }

        return new ValueTask<RateLimitDecision>(AcquireAsync(policy, settings, window, key, reset, null, cancellationToken));
    }

    /// <param name="reservation">The reserved token the caller took (what it left, and whether it starts the next refill), or null when none was left.</param>
    private async Task<RateLimitDecision> AcquireAsync(
        string policy, RateLimitPolicyOptions settings, FixedWindow window, CounterKey key, int reset, (int Left, bool RefillAhead)? reservation, CancellationToken cancellationToken)
    {
        var partition = key.Partition;
        Task<(RefillOutcome Outcome, int Tokens)> Refill(int waiters, CancellationToken ct) => RefillAsync(key, settings, waiters, window.End, ct);
        (int Taken, int Remaining, bool RefillAhead) Grant(int waiters, int counted) => GrantRefill(key, settings, waiters, counted);

        // Count the next reservation while this one lasts, so no request of a steady stream waits on the store:
        // only a burst that outruns the refill does. In a window's last seconds, the same for the next window's
        // first reservation, so the window's end does not make every active subject wait on a store write.
        void RefillAhead() => _refills.StartIfIdle(key, Refill, Grant, StoreTimeout, time);
        void CountNextWindowAhead()
        {
            var next = FixedWindow.At(window.End, settings.WindowSeconds);
            var nextKey = KeyOf(next, partition);
            if (!_counters.Knows(nextKey))
            {
                _refills.StartIfIdle(nextKey, (waiters, ct) => RefillAsync(nextKey, settings, waiters, next.End, ct), (waiters, counted) => GrantRefill(nextKey, settings, waiters, counted), StoreTimeout, time);
            }
        }

        // An admitted request: what it leaves to count ahead, and the decision.
        RateLimitDecision Admitted(int remaining, bool refillAhead)
        {
            if (refillAhead)
            {
                RefillAhead();
            }

            if (CountsNextWindow(settings, reset))
            {
                CountNextWindowAhead();
            }

            return AdmittedDecision(policy, settings, remaining, reset);
        }

        bool TryTakeReserved(out RateLimitDecision decision)
        {
            var taken = _counters.TryTake(key, out var left, out var reservedLeft);
            decision = taken ? Admitted(left, RefillsAhead(settings, reservedLeft)) : null!;
            return taken;
        }

        if (reservation is { } reserved)
        {
            return Admitted(reserved.Left, reserved.RefillAhead);
        }

        using var budget = new CancellationTokenSource(StoreTimeout, time);
        try
        {
            for (var round = 0; ; round++)
            {
                if (round > 0 && TryTakeReserved(out var taken))
                {
                    return taken;
                }

                // A refill counts a token for every request that joined it, handed to them before anyone else can
                // take one; a request goes round again only when another instance spent the window meanwhile or
                // the limit left fewer tokens than waiters. Rounds are bounded by the refill's own bound and the budget.
                var result = await _refills.RunOrJoinAsync(key, Refill, Grant, StoreTimeout, time, budget.Token, cancellationToken).ConfigureAwait(false);
                if (result.TryClaim())
                {
                    return Admitted(result.Remaining, result.TakeRefillAhead());
                }

                if (result.Outcome != RefillOutcome.Refilled || round >= MaxRounds)
                {
                    // The limit is reached, or every round lost a race the store answered: refusing cannot
                    // exceed the limit; the client retries after Retry-After.
                    return Decide(new RateLimitDecision(policy, false, settings.Limit, settings.WindowSeconds, 0, reset));
                }
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && (budget.IsCancellationRequested || IsStoreFailure(exception)))
        {
            // The store failed or stopped answering within the budget (even after answering earlier):
            // an outage, not contention, so the policy's failure mode decides (ADR 0003).
            LogStoreUnavailable(logger, exception, policy, settings.FailOpen);
            var decision = new RateLimitDecision(policy, settings.FailOpen, settings.Limit, settings.WindowSeconds, settings.FailOpen ? settings.Limit : 0, reset, StoreUnavailable: true);
            Record(decision, settings.FailOpen ? "store-unavailable-admitted" : "store-unavailable-refused");
            return decision;
        }
    }

    /// <summary>Whether the token that left <paramref name="reservedLeft"/> in reserve starts counting the next reservation.</summary>
    private static bool RefillsAhead(RateLimitPolicyOptions settings, int reservedLeft) => reservedLeft == settings.RefillAheadAt;

    /// <summary>Whether the window is close enough to its end for its requests to count the next window's first reservation.</summary>
    private static bool CountsNextWindow(RateLimitPolicyOptions settings, int reset) => reset <= settings.NextWindowLeadSeconds;

    private static RateLimitDecision AdmittedDecision(string policy, RateLimitPolicyOptions settings, int remaining, int reset) =>
        Decide(new RateLimitDecision(policy, true, settings.Limit, settings.WindowSeconds, remaining, reset));

    private static CounterKey KeyOf(FixedWindow window, string partition) =>
        new(DateOnly.FromDateTime(window.Start.UtcDateTime), partition, window.Index.ToString("D12", CultureInfo.InvariantCulture));

    /// <summary>
    /// What a refill counted goes to the requests that waited on it first, the rest to the reserve; waiters beyond
    /// what it counted take what the reserve still holds.
    /// </summary>
    private (int Taken, int Remaining, bool RefillAhead) GrantRefill(CounterKey key, RateLimitPolicyOptions settings, int waiters, int counted)
    {
        var handed = Math.Min(waiters, counted);
        _counters.Reserve(key, counted - handed);
        var taken = handed + _counters.TryTakeMany(key, waiters - handed, out _, out _);
        var (remaining, reservedLeft) = _counters.Peek(key);
        return (taken, remaining, settings.RefillAheadAt >= 0 && reservedLeft <= settings.RefillAheadAt);
    }

    /// <summary>
    /// One compare-and-swap run counting tokens for <paramref name="waiters"/> requests (at least the policy's
    /// reservation size, never past the limit). A lost race re-reads at once: within this instance nobody else
    /// is writing this counter, so the winner was another instance and has already committed.
    /// </summary>
    private async Task<(RefillOutcome Outcome, int Tokens)> RefillAsync(CounterKey key, RateLimitPolicyOptions settings, int waiters, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var want = Math.Max(_counters.NextReservation(key, settings.EffectiveReservationSize), waiters);
        for (var round = 0; round < MaxRounds; round++)
        {
            // First round: this instance's own last write is usually still current (one round trip instead
            // of two); a stale hint costs a 412 and the next round reads.
            CounterSnapshot? hint = round == 0 && _counters.TryGetLastWritten(key, out var last) ? last : null;
            var current = hint ?? await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                var first = Math.Min(want, settings.Limit);
                if (await store.TryCreateAsync(key, first, cancellationToken).ConfigureAwait(false) is { } created)
                {
                    _counters.RememberWrite(key, new CounterSnapshot(first, created), settings.Limit, windowEnd, time.GetUtcNow());
                    return (RefillOutcome.Refilled, first);
                }

                continue;
            }

            // Counts only grow within a window, so a (hinted) count at the limit is a true refusal.
            if (current.Value.Count >= settings.Limit)
            {
                return (RefillOutcome.LimitReached, 0);
            }

            var tokens = Math.Min(want, settings.Limit - current.Value.Count);
            if (await store.TryReplaceAsync(key, current.Value.Count + tokens, current.Value.ETag, cancellationToken).ConfigureAwait(false) is { } replaced)
            {
                _counters.RememberWrite(key, new CounterSnapshot(current.Value.Count + tokens, replaced), settings.Limit, windowEnd, time.GetUtcNow());
                _counters.SizeNextReservation(key, soleWriter: hint is not null, settings.EffectiveReservationSize, settings.EffectiveMaxReservationSize);
                return (RefillOutcome.Refilled, tokens);
            }
        }

        return (RefillOutcome.Contended, 0);
    }

    private static RateLimitDecision Decide(RateLimitDecision decision)
    {
        Record(decision, decision.Admitted ? "admitted" : "limited");
        return decision;
    }

    private static bool IsStoreFailure(Exception exception) =>
        exception is OperationCanceledException or Azure.RequestFailedException || DependencyFailure.IsOutage(exception, CancellationToken.None);

    /// <summary>Subjects are hashed: client IPs and user ids are not stored in clear in the counter table.</summary>
    internal static string PartitionKey(string policy, string subject)
    {
        // On every request: hashed on the stack, one string out.
        var length = Encoding.UTF8.GetMaxByteCount(subject.Length);
        Span<byte> utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(subject, utf8)], digest);
        return string.Concat(policy, "_", Convert.ToHexStringLower(digest[..16]));
    }

    private static void Record(RateLimitDecision decision, string outcome) =>
        Decisions.Add(1, new KeyValuePair<string, object?>("policy", decision.Policy), new KeyValuePair<string, object?>("outcome", outcome));

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Rate-limit store unavailable for policy {Policy} (fail open: {FailOpen})")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string policy, bool failOpen);
}
