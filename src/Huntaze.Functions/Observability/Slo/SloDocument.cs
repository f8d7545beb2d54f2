using System.Text.Json;
using System.Text.Json.Serialization;

namespace Huntaze.Functions.Observability.Slo;

/// <summary>
/// observability/slo.json: the one home of the SLOs. Bicep loads the same file for the alerts, the dashboards are
/// generated from it, and the app reads it for the latency classes and the alert relay's routing.
/// </summary>
public sealed record SloDocument(
    string Service,
    string Owner,
    string Document,
    LatencyClasses LatencyClasses,
    ErrorBudgetPolicy ErrorBudgetPolicy,
    IReadOnlyList<BurnRateAlert> BurnRateAlerts,
    IReadOnlyList<ServiceLevelObjective> Slos,
    IReadOnlyList<SloWarning> Warnings,
    IReadOnlyList<DirectAlert> DirectAlerts,
    AvailabilityTest AvailabilityTest)
{
    public const string ResourceName = "Huntaze.Functions.Observability.slo.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    private static readonly Lazy<SloDocument> Embedded = new(() =>
    {
        using var stream = typeof(SloDocument).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        return Parse(stream);
    });

    /// <summary>The copy built into the app (the repository's observability/slo.json at build time).</summary>
    public static SloDocument Current => Embedded.Value;

    /// <exception cref="JsonException">The file is not a valid SLO document.</exception>
    public static SloDocument Parse(Stream utf8Json) =>
        JsonSerializer.Deserialize<SloDocument>(utf8Json, Json) ?? throw new JsonException("The SLO document is empty.");

    public ServiceLevelObjective? FindSlo(string id) => Slos.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.Ordinal));

    public BurnRateAlert? FindBurnRate(string name) => BurnRateAlerts.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.Ordinal));

    public SloWarning? FindWarning(string id) => Warnings.FirstOrDefault(w => string.Equals(w.Id, id, StringComparison.Ordinal));

    public DirectAlert? FindDirectAlert(string id) => DirectAlerts.FirstOrDefault(d => string.Equals(d.Id, id, StringComparison.Ordinal));

    /// <summary>Every instrument an SLO, warning or direct alert names, with whether the feature behind it exists yet.</summary>
    public IEnumerable<(string Instrument, bool Pending)> Instruments() =>
        Slos.SelectMany(s => s.Sli.Instruments.Select(i => (i, s.IsPending)))
            .Concat(DirectAlerts.SelectMany(d => d.Instruments.Select(i => (i, d.IsPending))))
            .Distinct();
}

public sealed record LatencyClasses(string Attribute, IReadOnlyList<int> ThresholdsMs)
{
    /// <summary><c>le_300ms</c>, <c>le_500ms</c> … for the first threshold the duration is within, else <c>over_{last}ms</c>.</summary>
    public string Classify(TimeSpan duration)
    {
        foreach (var threshold in ThresholdsMs)
        {
            if (duration.TotalMilliseconds <= threshold)
            {
                return $"le_{threshold}ms";
            }
        }

        return $"over_{ThresholdsMs[^1]}ms";
    }
}

public sealed record ErrorBudgetPolicy(string Summary, bool FreezeDeploymentsWhenExhausted, IReadOnlyList<string> Rules);

/// <summary>One multi-window burn-rate alert (SRE workbook, chapter 5): fires when both windows burn at <see cref="BurnRate"/>.</summary>
public sealed record BurnRateAlert(string Name, double BurnRate, int LongWindowMinutes, int ShortWindowMinutes, int EvaluationMinutes, string Action, int Severity);

public sealed record ServiceLevelObjective(
    string Id,
    string Title,
    string Status,
    double ObjectivePercent,
    int WindowDays,
    ServiceLevelIndicator Sli,
    string Rationale,
    string Runbook,
    string? PendingOn = null)
{
    public bool IsPending => string.Equals(Status, "pending", StringComparison.Ordinal);

    /// <summary>The error budget as a fraction of events (0.001 for 99.9 %).</summary>
    public double ErrorBudget => (100 - ObjectivePercent) / 100;
}

public sealed record ServiceLevelIndicator(string Description, IReadOnlyList<string> Instruments, AzureMonitorSli AzureMonitor, PrometheusSli Prometheus);

/// <summary>Over Application Insights <c>customMetrics</c>: rows of <see cref="Metric"/> matching <see cref="Where"/>,
/// each weighing <see cref="Weight"/> events (valueCount for histograms, value for counters, 1 per gauge sample), bad when <see cref="Bad"/>.</summary>
public sealed record AzureMonitorSli(string Metric, string Weight, string Where, string Bad);

/// <summary>PromQL for the total and bad events over <c>$window</c>.</summary>
public sealed record PrometheusSli(string Total, string Bad);

public sealed record SloWarning(
    string Id,
    string Slo,
    string Title,
    string Description,
    int WindowMinutes,
    double ThresholdPercent,
    string Bad,
    string PrometheusBad,
    string Action,
    string Runbook,
    string? Where = null);

public sealed record DirectAlert(
    string Id,
    string Title,
    IReadOnlyList<string> Instruments,
    string Status,
    int WindowMinutes,
    int EvaluationMinutes,
    string Query,
    string Action,
    int Severity,
    string Runbook)
{
    public bool IsPending => string.Equals(Status, "pending", StringComparison.Ordinal);
}

/// <summary>The standard web test on the readiness endpoint and its metric alert (failing from <see cref="FailedLocationCount"/> locations).</summary>
public sealed record AvailabilityTest(
    string Title,
    string Path,
    int FrequencySeconds,
    int TimeoutSeconds,
    IReadOnlyList<string> Locations,
    int FailedLocationCount,
    string Action,
    int Severity,
    string Runbook);
