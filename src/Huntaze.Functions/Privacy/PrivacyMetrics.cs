using System.Diagnostics.Metrics;
using Huntaze.Functions.Observability;

namespace Huntaze.Functions.Privacy;

/// <summary>
/// <c>huntaze.privacy.*</c> instruments: requests opened and closed by type, the age of the oldest open
/// request and the overdue count (sampled by <see cref="Requests.OpenRequestsSampler"/> and when the queue is listed), and erasure
/// verification failures.
/// </summary>
public static class PrivacyMetrics
{
    private static readonly Counter<long> Opened =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.privacy.requests_opened", description: "Data-subject requests opened, by type and channel.");

    private static readonly Counter<long> Closed =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.privacy.requests_closed", description: "Data-subject requests closed, by type and status.");

    private static readonly Counter<long> VerificationFailures =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.privacy.erasure_verification_failures", description: "Erasures whose verification scan still found the subject's data.");

    private static readonly Counter<long> RetentionRemoved =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.privacy.retention_removed", description: "Items removed by the retention timer, by store.");

    private static double _oldestOpenSeconds;
    private static long _overdue;
    private static long _open;

    static PrivacyMetrics()
    {
        HuntazeDiagnostics.Meter.CreateObservableGauge("huntaze.privacy.oldest_open_request_age_seconds", () => Volatile.Read(ref _oldestOpenSeconds), unit: "s", description: "Age of the oldest open data-subject request.");
        HuntazeDiagnostics.Meter.CreateObservableGauge("huntaze.privacy.requests_overdue", () => Interlocked.Read(ref _overdue), description: "Open data-subject requests past their due date.");
        HuntazeDiagnostics.Meter.CreateObservableGauge("huntaze.privacy.requests_open", () => Interlocked.Read(ref _open), description: "Open data-subject requests.");
    }

    public static void RequestOpened(string type, string channel) =>
        Opened.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("channel", channel));

    /// <summary><c>within_deadline</c> is what the SLO <c>privacy-requests-on-time</c> counts (observability/slo.json).</summary>
    public static void RequestClosed(string type, string status, bool withinDeadline) =>
        Closed.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("within_deadline", withinDeadline ? "true" : "false"));

    public static void ErasureVerificationFailed() => VerificationFailures.Add(1);

    public static void Retained(string store, long count) => RetentionRemoved.Add(count, new KeyValuePair<string, object?>("store", store));

    /// <summary>Latest sample of the open requests (gauges).</summary>
    public static void Sample(long open, long overdue, double oldestOpenSeconds)
    {
        Interlocked.Exchange(ref _open, open);
        Interlocked.Exchange(ref _overdue, overdue);
        Volatile.Write(ref _oldestOpenSeconds, oldestOpenSeconds);
    }
}
