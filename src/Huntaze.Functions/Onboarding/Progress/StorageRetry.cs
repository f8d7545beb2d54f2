using Azure;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// Bounded retries with jittered exponential backoff for transient storage failures: 408, 429, 500,
/// 502, 503, 504, network errors and timeouts. Conflicts (409, 412) are never retried here.
/// </summary>
public sealed class StorageRetry(IOptions<OnboardingOptions> options, TimeProvider time)
{
    public async Task<T> ExecuteAsync<T>(Func<int, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (attempt < settings.StorageMaxAttempts && IsTransient(exception, cancellationToken))
            {
                await Task.Delay(Backoff(attempt, settings), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        TimeoutException or IOException or HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>"Equal jitter": half the capped exponential delay plus a random share of the other half.</summary>
    public static TimeSpan Backoff(int attempt, OnboardingOptions settings)
    {
        var cap = Math.Min(settings.StorageMaxDelayMs, settings.StorageBaseDelayMs * Math.Pow(2, attempt - 1));
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return TimeSpan.FromMilliseconds((cap / 2) + (Random.Shared.NextDouble() * cap / 2));
#pragma warning restore CA5394
    }
}
