using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Huntaze.Functions.Observability.Slo;

namespace Huntaze.UnitTests.Observability;

/// <summary>
/// Where the SLO file and the dashboards disagree: panel count and order, each panel querying its own SLO's
/// instrument, and every instrument any query names being one the SLO file declares (the integration test proves
/// those are emitted).
/// </summary>
internal static partial class SloConsistency
{
    public static List<string> DashboardProblems(SloDocument document, JsonNode grafanaAzure, JsonNode grafanaPrometheus, JsonNode workbook)
    {
        var problems = new List<string>();
        var declared = document.Instruments().Select(i => i.Instrument).ToHashSet();
        var kqlPanels = grafanaAzure["panels"]!.AsArray().Select(p => (Title: (string)p!["title"]!, Query: (string)p["targets"]![0]!["azureLogAnalytics"]!["query"]!)).ToList();
        var promPanels = grafanaPrometheus["panels"]!.AsArray().Select(p => (Title: (string)p!["title"]!, Query: (string)p["targets"]![0]!["expr"]!)).ToList();
        var workbookPanels = workbook["items"]!.AsArray().Where(i => (int)i!["type"]! == 3).Select(i => (Title: (string)i!["content"]!["title"]!, Query: (string)i["content"]!["query"]!)).ToList();
        foreach (var (name, panels, kql) in new[] { ("grafana-azure-monitor", kqlPanels, true), ("grafana-prometheus", promPanels, false), ("azure-workbook", workbookPanels, true) })
        {
            if (panels.Count != document.Slos.Count)
            {
                problems.Add($"{name}: {panels.Count} panels for {document.Slos.Count} SLOs.");
                continue;
            }

            for (var i = 0; i < panels.Count; i++)
            {
                var slo = document.Slos[i];
                if (!panels[i].Title.StartsWith(slo.Title, StringComparison.Ordinal))
                {
                    problems.Add($"{name} panel {i + 1} is '{panels[i].Title}', expected SLO '{slo.Title}'.");
                }

                var named = kql ? KqlInstruments(panels[i].Query) : PrometheusInstruments(panels[i].Query, declared);
                if (!named.Contains(slo.Sli.AzureMonitor.Metric))
                {
                    problems.Add($"{name} panel '{slo.Title}' does not query its SLI instrument {slo.Sli.AzureMonitor.Metric}.");
                }

                problems.AddRange(named.Where(n => !declared.Contains(n)).Select(n => $"{name} panel '{slo.Title}' names {n}, which no SLO declares."));
            }
        }

        return problems;
    }

    public static HashSet<string> KqlInstruments(string query) =>
        [.. KqlName().Matches(query).Select(m => m.Groups[1].Value)];

    /// <summary>Prometheus series back to instrument names: dots become underscores, then the exporter's suffixes.</summary>
    public static HashSet<string> PrometheusInstruments(string query, IReadOnlySet<string> declared)
    {
        var names = new HashSet<string>();
        foreach (Match match in PromSeries().Matches(query))
        {
            var series = match.Value;
            var instrument = declared.FirstOrDefault(d => Series(d).Contains(series));
            names.Add(instrument ?? series);
        }

        return names;
    }

    private static IEnumerable<string> Series(string instrument)
    {
        var name = instrument.Replace('.', '_');
        foreach (var base_ in new[] { name, name + "_seconds" })
        {
            yield return base_;
            foreach (var suffix in new[] { "_total", "_bucket", "_count", "_sum" })
            {
                yield return base_ + suffix;
            }
        }
    }

    [GeneratedRegex(@"name == '([a-z0-9_.]+)'")]
    private static partial Regex KqlName();

    /// <summary>Series names only: a label such as <c>huntaze_latency_class="…"</c> is followed by an operator.</summary>
    [GeneratedRegex(@"huntaze_[a-z0-9_]+(?![a-z0-9_]*\s*(=|!=|=~|!~))")]
    private static partial Regex PromSeries();
}
