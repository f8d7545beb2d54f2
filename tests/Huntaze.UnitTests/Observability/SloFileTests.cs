using System.Text.Json.Nodes;
using Huntaze.Cli.Observability;
using Huntaze.Functions.Observability.Slo;

namespace Huntaze.UnitTests.Observability;

/// <summary>observability/slo.json: the one home of the SLOs, its invariants and its agreement with the dashboards.</summary>
public sealed class SloFileTests
{
    private static readonly SloDocument Document = Load();

    [Fact]
    public void SloFile_AsBuiltIntoTheApp_IsTheRepositoryFile()
    {
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(Document), System.Text.Json.JsonSerializer.Serialize(SloDocument.Current));
    }

    [Fact]
    public void SloFile_SevenSlos_UniqueIdsObjectivesBelow100AndWindows()
    {
        Assert.Equal(7, Document.Slos.Count);
        Assert.Equal(Document.Slos.Count, Document.Slos.Select(s => s.Id).Distinct().Count());
        Assert.All(Document.Slos, s =>
        {
            Assert.InRange(s.ObjectivePercent, 50, 99.999);
            Assert.InRange(s.WindowDays, 1, 90);
            Assert.True(s.Status is "active" or "pending", s.Status);
            Assert.Contains(s.Sli.AzureMonitor.Metric, s.Sli.Instruments);
            Assert.Contains("$window", s.Sli.Prometheus.Total, StringComparison.Ordinal);
            Assert.Contains("$window", s.Sli.Prometheus.Bad, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void SloFile_BurnRateAlerts_AreTheWorkbooksThreeWindows()
    {
        Assert.Equal(
            [(14.4, 60, 5, "page"), (6, 360, 30, "page"), (1, 4320, 360, "ticket")],
            Document.BurnRateAlerts.Select(b => (b.BurnRate, b.LongWindowMinutes, b.ShortWindowMinutes, b.Action)));
    }

    [Fact]
    public void SloFile_WarningsAndPolicy_KeepTheOriginalThresholdsAndFreeze()
    {
        Assert.Equal([5d, 1d, 10d], Document.Warnings.Select(w => w.ThresholdPercent));
        Assert.Contains(Document.Warnings, w => w.Bad.Contains("over_500ms", StringComparison.Ordinal));
        Assert.All(Document.Warnings, w => Assert.NotNull(Document.FindSlo(w.Slo)));
        Assert.True(Document.ErrorBudgetPolicy.FreezeDeploymentsWhenExhausted);
        Assert.Equal([300, 500], Document.LatencyClasses.ThresholdsMs);
    }

    [Fact]
    public void SloFile_EverySloAndAlert_IsActive()
    {
        Assert.Empty(Document.Slos.Where(s => s.IsPending).Select(s => s.Id));
        Assert.Empty(Document.DirectAlerts.Where(d => d.IsPending).Select(d => d.Id));
        Assert.All(Document.Slos, s => Assert.Null(s.PendingOn));
    }

    [Fact]
    public void SloFile_DirectAlerts_FailedBackupsOverdueRequestsStaleFlags()
    {
        Assert.Equal(["backup-failed", "dsr-overdue", "flags-stale"], Document.DirectAlerts.Select(d => d.Id));
        Assert.All(Document.DirectAlerts, d => Assert.All(d.Instruments, i => Assert.Contains($"'{i}'", d.Query, StringComparison.Ordinal)));
    }

    [Fact]
    public void SloFile_EveryRunbook_Exists()
    {
        var runbooks = Document.Slos.Select(s => s.Runbook)
            .Concat(Document.Warnings.Select(w => w.Runbook))
            .Concat(Document.DirectAlerts.Select(d => d.Runbook))
            .Append(Document.AvailabilityTest.Runbook)
            .Append(Document.Document);

        Assert.All(runbooks, r => Assert.True(File.Exists(RepositoryFiles.Path(r.Split('/'))), $"{r} is missing"));
    }

    [Fact]
    public void LatencyClasses_Classify_FirstThresholdWithinElseOver()
    {
        Assert.Equal("le_300ms", Document.LatencyClasses.Classify(TimeSpan.FromMilliseconds(300)));
        Assert.Equal("le_500ms", Document.LatencyClasses.Classify(TimeSpan.FromMilliseconds(301)));
        Assert.Equal("over_500ms", Document.LatencyClasses.Classify(TimeSpan.FromMilliseconds(500.1)));
    }

    [Fact]
    public void Dashboards_Committed_AreWhatTheSloFileGenerates()
    {
        foreach (var (name, content) in DashboardGenerator.Generate(Document))
        {
            var path = RepositoryFiles.Path("observability", "dashboards", name);
            Assert.True(File.Exists(path), $"{path} is missing: run `dotnet run --project src/Huntaze.Cli -- dashboards`.");
            Assert.True(File.ReadAllText(path) == content, $"{path} disagrees with observability/slo.json: run `dotnet run --project src/Huntaze.Cli -- dashboards`.");
        }
    }

    [Fact]
    public void Dashboards_Committed_ParseWithSevenPanelsEachOnItsSlosInstrument()
    {
        var problems = SloConsistency.DashboardProblems(Document, Dashboard("grafana-azure-monitor.json"), Dashboard("grafana-prometheus.json"), Dashboard("azure-workbook.json"));

        Assert.Empty(problems);
        Assert.Equal(7, Dashboard("grafana-azure-monitor.json")["panels"]!.AsArray().Count);
        Assert.Equal(7, Dashboard("grafana-prometheus.json")["panels"]!.AsArray().Count);
    }

    [Fact]
    public void DashboardCheck_PanelMissingOrOnAnUndeclaredInstrument_Reported()
    {
        var azure = Dashboard("grafana-azure-monitor.json");
        azure["panels"]!.AsArray().RemoveAt(6);
        var prometheus = Dashboard("grafana-prometheus.json");
        prometheus["panels"]![0]!["targets"]![0]!["expr"] = "sum(rate(huntaze_nothing_total[5m]))";

        var problems = SloConsistency.DashboardProblems(Document, azure, prometheus, Dashboard("azure-workbook.json"));

        Assert.Contains(problems, p => p.Contains("6 panels for 7 SLOs", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("huntaze_nothing_total, which no SLO declares", StringComparison.Ordinal));
    }

    [Fact]
    public void PrometheusNames_MapBackToInstruments()
    {
        var declared = Document.Instruments().Select(i => i.Instrument).ToHashSet();

        Assert.Equal(["huntaze.http.server.request.duration"], SloConsistency.PrometheusInstruments("huntaze_http_server_request_duration_seconds_count{x=\"1\"}", declared));
        Assert.Equal(["huntaze.flags.sync.runs"], SloConsistency.PrometheusInstruments("huntaze_flags_sync_runs_total", declared));
        Assert.Equal(["huntaze.flags.snapshot_age_seconds"], SloConsistency.PrometheusInstruments("huntaze_flags_snapshot_age_seconds", declared));
    }

    private static JsonNode Dashboard(string name) => JsonNode.Parse(File.ReadAllText(RepositoryFiles.Path("observability", "dashboards", name)))!;

    private static SloDocument Load()
    {
        using var stream = File.OpenRead(RepositoryFiles.Path("observability", "slo.json"));
        return SloDocument.Parse(stream);
    }
}
