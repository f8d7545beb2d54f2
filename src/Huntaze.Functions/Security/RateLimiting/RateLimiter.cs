using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Huntaze.Functions.Observability;
using Huntaze.Functions.Platform.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// A distributed fixed-window limiter: one counter per (policy, subject, window) in the shared store,
/// incremented by ETag compare-and-swap, so every instance sees one count and no more than the limit is
/// admitted however many requests race (docs/decisions/0003-rate-limit-algorithm.md).
/// </summary>
public sealed partial class RateLimiter(IRateLimitStore store, IOptions<RateLimitOptions> options, TimeProvider time, ILogger<RateLimiter> logger)
{
    /// <summary>CAS attempts before giving up; each lost race means another request was counted.</summary>
    public const int MaxAttempts = 20;

    /// <summary>How long a decision may wait on the store before the policy's failure mode applies.</summary>
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(5);

    private readonly CounterHints _counters = new();

    private static readonly Counter<long> Decisions = HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.ratelimit.decisions", description: "Rate-limit decisions by policy and outcome.");

    public async Task<RateLimitDecision> AcquireAsync(string policy, string subject, CancellationToken cancellationToken)
    {
        if (!options.Value.Policies.TryGetValue(policy, out var settings))
        {
            throw new InvalidOperationException($"Unknown rate-limit policy '{policy}'.");
        }

        var now = time.GetUtcNow();
        var window = FixedWindow.At(now, settings.WindowSeconds);
        var key = new CounterKey(DateOnly.FromDateTime(window.Start.UtcDateTime), PartitionKey(policy, subject), window.Index.ToString("D12", CultureInfo.InvariantCulture));
        var reset = window.SecondsUntilReset(now);
        if (_counters.TryTake(key, out var left))
        {
            return Decide(new RateLimitDecision(policy, true, settings.Limit, settings.WindowSeconds, left, reset));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StoreTimeout);
        var progress = new StoreProgress();
        try
        {
            var grant = await IncrementAsync(key, settings.Limit, settings.EffectiveReservationSize, window.End, now, progress, timeout.Token).ConfigureAwait(false);
            switch (grant)
            {
                case null:
                    return Decide(new RateLimitDecision(policy, false, settings.Limit, settings.WindowSeconds, 0, reset));
                case { Tokens: 0 } reserved:
                    return Decide(new RateLimitDecision(policy, true, settings.Limit, settings.WindowSeconds, reserved.Count, reset));
                case var counted:
                    // This request spends one of the tokens just counted; the rest wait here for its successors.
                    _counters.Reserve(key, counted.Value.Tokens - 1);
                    return Decide(new RateLimitDecision(policy, true, settings.Limit, settings.WindowSeconds, settings.Limit - counted.Value.Count + counted.Value.Tokens - 1, reset));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && progress.Answered)
        {
            // The store answers but this request kept losing races until the deadline: the window is
            // contended, not the store down. Refusing cannot exceed the limit; the client retries later.
            return Decide(new RateLimitDecision(policy, false, settings.Limit, settings.WindowSeconds, 0, reset));
        }
        catch (Exception exception) when (IsStoreFailure(exception) && !cancellationToken.IsCancellationRequested)
        {
            LogStoreUnavailable(logger, exception, policy, settings.FailOpen);
            var decision = new RateLimitDecision(policy, settings.FailOpen, settings.Limit, settings.WindowSeconds, settings.FailOpen ? settings.Limit : 0, reset, StoreUnavailable: true);
            Record(decision, settings.FailOpen ? "store-unavailable-admitted" : "store-unavailable-refused");
            return decision;
        }
    }

    private static RateLimitDecision Decide(RateLimitDecision decision)
    {
        Record(decision, decision.Admitted ? "admitted" : "limited");
        return decision;
    }

    /// <summary>
    /// Counts up to <paramref name="batch"/> tokens (never past the limit) and returns the count after it
    /// and how many were counted; or, with <c>Tokens</c> 0, a token another request of this instance
    /// reserved meanwhile (<c>Count</c> is then the remaining estimate); null when the limit is reached
    /// (or the race could not be won).
    /// </summary>
    private async Task<(int Count, int Tokens)?> IncrementAsync(CounterKey key, int limit, int batch, DateTimeOffset windowEnd, DateTimeOffset now, StoreProgress progress, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(Backoff.Delay(attempt - 1, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(160)), time, cancellationToken).ConfigureAwait(false);

                // A peer that won the race may have reserved tokens for us: spend those before the store.
                if (_counters.TryTake(key, out var remaining))
                {
                    return (remaining, 0);
                }
            }

            // First attempt: this instance's own last write is usually still current (one round trip
            // instead of two); a stale hint costs a 412 and the next attempt reads.
            CounterSnapshot? current;
            if (attempt == 0 && _counters.TryGetLastWritten(key, out var hint))
            {
                current = hint;
            }
            else
            {
                current = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
                progress.Answered = true;
            }

            if (current is null)
            {
                var first = Math.Min(batch, limit);
                var created = await store.TryCreateAsync(key, first, cancellationToken).ConfigureAwait(false);
                progress.Answered = true;
                if (created is not null)
                {
                    _counters.RememberWrite(key, new CounterSnapshot(first, created), limit, windowEnd, now);
                    return (first, first);
                }

                continue;
            }

            // Counts only grow within a window, so a hinted count at the limit is a true refusal.
            if (current.Value.Count >= limit)
            {
                return _counters.TryTake(key, out var remaining) ? (remaining, 0) : null;
            }

            var tokens = Math.Min(batch, limit - current.Value.Count);
            var replaced = await store.TryReplaceAsync(key, current.Value.Count + tokens, current.Value.ETag, cancellationToken).ConfigureAwait(false);
            progress.Answered = true;
            if (replaced is not null)
            {
                _counters.RememberWrite(key, new CounterSnapshot(current.Value.Count + tokens, replaced), limit, windowEnd, now);
                return (current.Value.Count + tokens, tokens);
            }
        }

        // Every attempt lost to a concurrent increment: the window is busy. Refusing is the only answer
        // that cannot exceed the limit; the client retries after Retry-After.
        return null;
    }

    private sealed class StoreProgress
    {
        public bool Answered { get; set; }
    }

    private static bool IsStoreFailure(Exception exception) =>
        exception is Azure.RequestFailedException or OperationCanceledException or TimeoutException or HttpRequestException or AggregateException;

    /// <summary>Subjects are hashed: client IPs and user ids are not stored in clear in the counter table.</summary>
    internal static string PartitionKey(string policy, string subject) =>
        $"{policy}_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject)))[..32]}";

    private static void Record(RateLimitDecision decision, string outcome) =>
        Decisions.Add(1, new KeyValuePair<string, object?>("policy", decision.Policy), new KeyValuePair<string, object?>("outcome", outcome));

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Rate-limit store unavailable for policy {Policy} (fail open: {FailOpen})")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string policy, bool failOpen);
}
