using System.Globalization;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>A fixed-window count as stored in the counted user's own partition: the window's index and the requests counted in it.</summary>
public sealed record WindowCounter(long Window, int Count);

/// <summary>
/// A rate-limit policy counted by the store that writes the caller's partition, in the same entity-group
/// transaction as the write (ADR 0007): the counter is kept per policy in the user's guide entity (ADR 0018), read
/// with the data and replaced on its ETag with it, so counting costs no storage call of its own and is exact across instances
/// (a concurrent write moves the counter's ETag and the loser re-reads). Created per request by
/// <see cref="RateLimitStep"/> for functions declaring <see cref="RateLimitAttribute.CountedWithWrite"/>.
/// </summary>
public sealed class WriteBudget(string policy, string userId, int limit, int windowSeconds, FixedWindow window, DateTimeOffset now)
{
    private const string ItemKey = "huntaze.write-budget";

    public string Policy { get; } = policy;

    /// <summary>The partition the budget can be counted in: the caller's own.</summary>
    public string UserId { get; } = userId;

    /// <summary>The decision once counted (null while not), for the response's rate-limit headers.</summary>
    public RateLimitDecision? Decision { get; private set; }

    /// <summary>
    /// The counter after counting this request, or a 429 problem when the window's budget is spent. Nothing is
    /// decided until the caller commits the returned counter with its write.
    /// </summary>
    public WindowCounter Charge(WindowCounter? stored)
    {
        var count = stored is { } counter && counter.Window == window.Index ? counter.Count : 0;
        if (count >= limit)
        {
            throw Refused();
        }

        return new WindowCounter(window.Index, count + 1);
    }

    /// <summary>
    /// The 429 for a spent budget, and for a request that could not be counted because every round lost its
    /// race: refusing cannot exceed the limit, as 0003's limiter answers a contended window.
    /// </summary>
    public ProblemException Refused()
    {
        var reset = window.SecondsUntilReset(now);
        var refused = new RateLimitDecision(Policy, false, limit, windowSeconds, 0, reset);
        Decision = refused;
        return Problems.TooManyRequests(Policy, limit, windowSeconds, reset, RateLimitStep.Headers(refused));
    }

    /// <summary>Records that <paramref name="counted"/> was committed.</summary>
    public void Committed(WindowCounter counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        Decision = new RateLimitDecision(Policy, true, limit, windowSeconds, limit - counted.Count, window.SecondsUntilReset(now));
    }

    internal void Attach(HttpContext http) => http.Items[ItemKey] = this;

    /// <summary>The budget <see cref="RateLimitStep"/> attached to this request; throws if the function's policy is not counted with its write.</summary>
    public static WriteBudget Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext.Items.TryGetValue(ItemKey, out var budget) && budget is WriteBudget attached
            ? attached
            : throw new InvalidOperationException("No write budget: the function must declare [RateLimit(policy, CountedWithWrite = true)].");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Policy} for {UserId} in window {window.Index}");
}
