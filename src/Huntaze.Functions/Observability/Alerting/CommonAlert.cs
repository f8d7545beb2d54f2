using System.Globalization;
using System.Text.Json;

namespace Huntaze.Functions.Observability.Alerting;

/// <summary>
/// The parts of an Azure Monitor common-alert-schema notification the relay uses. Parsed leniently: the schema adds
/// fields over time and differs per alert type (log search, metric, availability), so only what is read is required.
/// </summary>
public sealed record CommonAlert(
    string AlertId,
    string AlertRule,
    string Severity,
    string SignalType,
    bool Resolved,
    string MonitoringService,
    DateTimeOffset? FiredAt,
    DateTimeOffset? ResolvedAt,
    string? Description,
    IReadOnlyList<string> TargetIds,
    double? MetricValue,
    string? ResultsLink)
{
    public const string SchemaId = "azureMonitorCommonAlertSchema";

    /// <summary>The alert, or why the document is not one (a message naming the field, never echoing values).</summary>
    public static CommonAlert? TryParse(JsonElement root, out string error)
    {
        error = "";
        if (root.ValueKind != JsonValueKind.Object || Text(root, "schemaId") != SchemaId)
        {
            error = $"schemaId must be '{SchemaId}': enable the common alert schema on the action group.";
            return null;
        }

        if (!root.TryGetProperty("data", out var data) || !data.TryGetProperty("essentials", out var essentials) || essentials.ValueKind != JsonValueKind.Object)
        {
            error = "data.essentials is required.";
            return null;
        }

        var rule = Text(essentials, "alertRule");
        var condition = Text(essentials, "monitorCondition");
        var alertId = Text(essentials, "alertId");
        if (string.IsNullOrWhiteSpace(rule) || string.IsNullOrWhiteSpace(alertId) || condition is not ("Fired" or "Resolved"))
        {
            error = "data.essentials needs alertId, alertRule and monitorCondition (Fired or Resolved).";
            return null;
        }

        var firstCondition = data.TryGetProperty("alertContext", out var context) && context.ValueKind == JsonValueKind.Object &&
                             context.TryGetProperty("condition", out var c) && c.ValueKind == JsonValueKind.Object &&
                             c.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array && allOf.GetArrayLength() > 0
            ? allOf[0]
            : default;
        return new CommonAlert(
            alertId!,
            rule!,
            Text(essentials, "severity") ?? "Sev3",
            Text(essentials, "signalType") ?? "",
            condition == "Resolved",
            Text(essentials, "monitoringService") ?? "",
            Time(essentials, "firedDateTime"),
            Time(essentials, "resolvedDateTime"),
            Text(essentials, "description"),
            essentials.TryGetProperty("alertTargetIDs", out var targets) && targets.ValueKind == JsonValueKind.Array
                ? [.. targets.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)]
                : [],
            firstCondition.ValueKind == JsonValueKind.Object && firstCondition.TryGetProperty("metricValue", out var value) && value.ValueKind == JsonValueKind.Number
                ? value.GetDouble()
                : null,
            firstCondition.ValueKind == JsonValueKind.Object ? Text(firstCondition, "linkToFilteredSearchResultsUI") : null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        DateTimeOffset.TryParse(Text(element, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
