using System.Diagnostics;
using System.Diagnostics.Metrics;
using Huntaze.Functions.Observability.Slo;

namespace Huntaze.Functions.Observability;

/// <summary>
/// What every HTTP function request leaves behind: the request-duration histogram by route template, method, status
/// and latency class, and the correlation id and pseudonymous user id on the request's span (the ASP.NET Core server
/// span in the local host, the invocation span in the Functions host).
/// </summary>
public static class RequestTelemetry
{
    public const string DurationInstrument = "huntaze.http.server.request.duration";

    private static readonly Histogram<double> Duration = HuntazeDiagnostics.Meter.CreateHistogram<double>(
        DurationInstrument, "s", "Duration of HTTP function requests, by route template, method, status and latency class.");

    private static readonly LatencyClasses Classes = SloDocument.Current.LatencyClasses;

    /// <summary>Bucket boundaries (s) that include every latency-class threshold, so Prometheus quantiles are exact there.</summary>
    public static double[] HistogramBoundaries() =>
        [.. new[] { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 5, 10 }
            .Concat(Classes.ThresholdsMs.Select(ms => ms / 1000d))
            .Distinct()
            .Order()];

    public static void Record(TimeSpan elapsed, string? route, string method, int status)
    {
        Duration.Record(
            elapsed.TotalSeconds,
            new(TelemetryAttributes.Route, route),
            new(TelemetryAttributes.Method, method),
            new(TelemetryAttributes.StatusCode, status),
            new(Classes.Attribute, Classes.Classify(elapsed)));
    }

    /// <summary>Tags the current request span; the user id only once authentication has established it.</summary>
    public static void Enrich(Activity? span, string correlationId, string? pseudonymousUserId)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(TelemetryAttributes.CorrelationId, correlationId);
        if (pseudonymousUserId is not null)
        {
            span.SetTag(TelemetryAttributes.PseudonymousUserId, pseudonymousUserId);
        }
    }
}
