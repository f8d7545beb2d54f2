using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>
/// Counters expire on their own: once a day, drop the day tables whose windows have all ended (the
/// longest window plus a day of margin). A missed run only delays the cleanup; it never affects limits.
/// </summary>
public sealed partial class RateLimitCleanupFunction(IRateLimitStore store, IOptions<RateLimitOptions> options, TimeProvider time, ILogger<RateLimitCleanupFunction> logger)
{
    [Function("RateLimitCleanup")]
    public async Task Run([TimerTrigger("0 17 3 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var keepDays = (int)Math.Ceiling(options.Value.LongestWindow.TotalDays) + 1;
        var before = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-keepDays);
        var deleted = await store.DeleteDaysBeforeAsync(before, cancellationToken).ConfigureAwait(false);
        LogCleaned(logger, deleted, before);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Dropped {Deleted} rate-limit day tables older than {Before}")]
    private static partial void LogCleaned(ILogger logger, int deleted, DateOnly before);
}
