using Azure;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// Recognises a dependency outage as the Azure SDK reports it once its retry layer has given up: a
/// <see cref="RequestFailedException"/> with a transient status (0 = no response), the
/// <see cref="AggregateException"/> of every failed attempt, or a network error or timeout. The pipeline
/// answers these with 503 and <c>Retry-After</c> instead of 500. Anything else (a 404 or 409 a store
/// did not expect, a bug) stays a 500.
/// </summary>
public static class DependencyFailure
{
    public static bool IsOutage(Exception exception, CancellationToken requestAborted) => exception switch
    {
        // Kestrel's framing errors are IOExceptions too, but the caller's fault (RequestBody answers them).
        Microsoft.AspNetCore.Http.BadHttpRequestException => false,
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(e => IsOutage(e, requestAborted)),
        TimeoutException or HttpRequestException or IOException => true,
        OperationCanceledException => !requestAborted.IsCancellationRequested,
        _ => false,
    };
}
