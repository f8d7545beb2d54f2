using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Observability.Slo;

namespace Huntaze.Cli.Observability;

/// <summary>
/// The SLO dashboards, generated from observability/slo.json: Grafana over Azure Monitor (Application Insights
/// customMetrics, KQL), Grafana over Prometheus (the local host's /metrics) and the Azure workbook the Bicep deploys.
/// One panel per SLO, in the file's order, each querying the SLO's own SLI definition.
/// </summary>
public static class DashboardGenerator
{
    public const string GrafanaAzureMonitorFile = "grafana-azure-monitor.json";
    public const string GrafanaPrometheusFile = "grafana-prometheus.json";
    public const string WorkbookFile = "azure-workbook.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IReadOnlyDictionary<string, string> Generate(SloDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new Dictionary<string, string>
        {
            [GrafanaAzureMonitorFile] = Write(Grafana(document, azureMonitor: true)),
            [GrafanaPrometheusFile] = Write(Grafana(document, azureMonitor: false)),
            [WorkbookFile] = Write(Workbook(document)),
        };
    }

    /// <summary>SLI (percent good) per time bucket over Application Insights customMetrics.</summary>
    public static string Kql(ServiceLevelObjective slo, string timeFilter, string bin)
    {
        ArgumentNullException.ThrowIfNull(slo);
        var sli = slo.Sli.AzureMonitor;
        return string.Join('\n',
            "customMetrics",
            $"| where {timeFilter}",
            $"| where name == '{sli.Metric}'",
            $"| where {sli.Where}",
            $"| extend w = todouble({sli.Weight}), isBad = {sli.Bad}",
            $"| summarize total = sum(w), bad = sumif(w, isBad) by bin(timestamp, {bin})",
            "| extend sli = iff(total > 0, 100.0 * (total - bad) / total, real(null))",
            "| project timestamp, sli",
            "| order by timestamp asc");
    }

    /// <summary>SLI (percent good) over Prometheus; <c>$window</c> in the file becomes Grafana's rate interval.</summary>
    public static string PromQl(ServiceLevelObjective slo)
    {
        ArgumentNullException.ThrowIfNull(slo);
        var window = "$__rate_interval";
        return $"100 * (1 - (({slo.Sli.Prometheus.Bad.Replace("$window", window, StringComparison.Ordinal)}) or vector(0)) / ({slo.Sli.Prometheus.Total.Replace("$window", window, StringComparison.Ordinal)}))";
    }

    private static JsonObject Grafana(SloDocument document, bool azureMonitor)
    {
        var source = azureMonitor
            ? new JsonObject { ["type"] = "grafana-azure-monitor-datasource", ["uid"] = "${datasource}" }
            : new JsonObject { ["type"] = "prometheus", ["uid"] = "${datasource}" };
        var panels = new JsonArray();
        for (var i = 0; i < document.Slos.Count; i++)
        {
            var slo = document.Slos[i];
            var target = azureMonitor
                ? new JsonObject
                {
                    ["refId"] = "A",
                    ["datasource"] = source.DeepClone(),
                    ["queryType"] = "Azure Log Analytics",
                    ["azureLogAnalytics"] = new JsonObject
                    {
                        ["query"] = Kql(slo, "$__timeFilter(timestamp)", "$__interval"),
                        ["resources"] = new JsonArray("$resource"),
                        ["resultFormat"] = "time_series",
                    },
                }
                : new JsonObject { ["refId"] = "A", ["datasource"] = source.DeepClone(), ["expr"] = PromQl(slo), ["legendFormat"] = slo.Id };
            panels.Add(new JsonObject
            {
                ["id"] = i + 1,
                ["type"] = "timeseries",
                ["title"] = $"{slo.Title} (target {Percent(slo.ObjectivePercent)}% / {slo.WindowDays} d){(slo.IsPending ? " [pending]" : "")}",
                ["description"] = $"{slo.Sli.Description}{(slo.IsPending ? $" Pending: {slo.PendingOn}." : "")} Runbook: {slo.Runbook}. SLO id: {slo.Id}.",
                ["datasource"] = source.DeepClone(),
                ["gridPos"] = new JsonObject { ["h"] = 8, ["w"] = 12, ["x"] = i % 2 * 12, ["y"] = i / 2 * 8 },
                ["fieldConfig"] = new JsonObject
                {
                    ["defaults"] = new JsonObject
                    {
                        ["unit"] = "percent",
                        ["min"] = Math.Max(0, Math.Floor(slo.ObjectivePercent) - 5),
                        ["max"] = 100,
                        ["thresholds"] = new JsonObject
                        {
                            ["mode"] = "absolute",
                            ["steps"] = new JsonArray(
                                new JsonObject { ["color"] = "red", ["value"] = null },
                                new JsonObject { ["color"] = "green", ["value"] = slo.ObjectivePercent }),
                        },
                        ["custom"] = new JsonObject { ["thresholdsStyle"] = new JsonObject { ["mode"] = "line" } },
                    },
                    ["overrides"] = new JsonArray(),
                },
                ["targets"] = new JsonArray(target),
            });
        }

        var templating = new JsonArray(new JsonObject
        {
            ["name"] = "datasource",
            ["type"] = "datasource",
            ["query"] = azureMonitor ? "grafana-azure-monitor-datasource" : "prometheus",
            ["label"] = "Data source",
        });
        if (azureMonitor)
        {
            templating.Add(new JsonObject
            {
                ["name"] = "resource",
                ["type"] = "textbox",
                ["label"] = "Application Insights resource id",
                ["query"] = "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Insights/components/<appi-name>",
            });
        }

        return new JsonObject
        {
            ["uid"] = azureMonitor ? "huntaze-slo-azure" : "huntaze-slo-prometheus",
            ["title"] = $"{document.Service} SLOs ({(azureMonitor ? "Azure Monitor" : "Prometheus")})",
            ["description"] = "Generated from observability/slo.json by `huntaze dashboards`: edit the SLO file, not this one.",
            ["tags"] = new JsonArray("huntaze", "slo"),
            ["schemaVersion"] = 39,
            ["editable"] = false,
            ["time"] = new JsonObject { ["from"] = azureMonitor ? "now-30d" : "now-6h", ["to"] = "now" },
            ["templating"] = new JsonObject { ["list"] = templating },
            ["panels"] = panels,
        };
    }

    private static JsonObject Workbook(SloDocument document)
    {
        var items = new JsonArray(new JsonObject
        {
            ["type"] = 1,
            ["content"] = new JsonObject { ["json"] = $"# {document.Service} SLOs\nGenerated from observability/slo.json (`huntaze dashboards`). Policy: {document.ErrorBudgetPolicy.Summary}" },
            ["name"] = "header",
        });
        foreach (var slo in document.Slos)
        {
            items.Add(new JsonObject
            {
                ["type"] = 3,
                ["content"] = new JsonObject
                {
                    ["version"] = "KqlItem/1.0",
                    ["query"] = Kql(slo, $"timestamp > ago({slo.WindowDays}d)", "1h"),
                    ["size"] = 0,
                    ["title"] = $"{slo.Title} (target {Percent(slo.ObjectivePercent)}% / {slo.WindowDays} d){(slo.IsPending ? " [pending]" : "")}",
                    ["queryType"] = 0,
                    ["resourceType"] = "microsoft.insights/components",
                    ["visualization"] = "timechart",
                },
                ["name"] = $"slo-{slo.Id}",
            });
        }

        return new JsonObject
        {
            ["version"] = "Notebook/1.0",
            ["items"] = items,
            ["fallbackResourceIds"] = new JsonArray(),
        };
    }

    private static string Percent(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Write(JsonObject node) => node.ToJsonString(Indented) + "\n";
}
