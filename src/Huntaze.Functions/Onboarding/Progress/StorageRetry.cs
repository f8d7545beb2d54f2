using Azure;
using Huntaze.Functions.Platform.Resilience;
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
                await Task.Delay(Backoff.Delay(attempt - 1, TimeSpan.FromMilliseconds(settings.StorageBaseDelayMs), TimeSpan.FromMilliseconds(settings.StorageMaxDelayMs)), time, cancellationToken).ConfigureAwait(false);
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
}
