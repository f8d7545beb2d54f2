using System.Diagnostics;
using System.Text.Json.Nodes;
using Huntaze.Functions.Observability.Alerting;
using Huntaze.Functions.Observability.Slo;

namespace Huntaze.UnitTests.Observability;

/// <summary>
/// The built ARM template (<c>bicep build bicep/main.bicep</c>, the CLI that .ci/bicep.sh uses) against the SLO file
/// and the relay: the alerts module carries the current file, builds one rule per active SLO × burn window, names
/// rules the way the relay routes them, and deploys the committed workbook.
/// </summary>
public sealed class SloAlertsArmTests
{
    private static readonly Lazy<JsonObject> Module = new(BuildSloAlertsModule);

    [Fact]
    public void BuiltArm_EmbedsTheCurrentSloFile()
    {
        var embedded = Variable("slo");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(RepositoryFiles.Path("observability", "slo.json"))), Numbers(embedded)),
            "bicep/modules/slo-alerts.bicep does not load observability/slo.json as it is now.");
    }

    [Fact]
    public void BuiltArm_BurnRateRules_OnePerActiveSloAndWindowNamedAsTheRelayRoutes()
    {
        var variables = Module.Value["variables"]!;
        var rules = Resource("burnRateAlerts");

        Assert.Contains("variables('activeSlos')", (string)variables["burnRules"]!, StringComparison.Ordinal);
        Assert.Contains("equals(lambdaVariables('s').status, 'active')", (string)variables["activeSlos"]!, StringComparison.Ordinal);
        Assert.Equal("[length(variables('burnRules'))]", (string)rules["copy"]!["count"]!);
        Assert.Equal("[format('{0}slo-{1}-{2}', parameters('namePrefix'), variables('burnRules')[copyIndex()].slo.id, variables('burnRules')[copyIndex()].window.name)]", (string)rules["name"]!);
        // What that name becomes for each active SLO and window routes back to the same SLO and window.
        var document = SloDocument.Current;
        foreach (var slo in document.Slos.Where(s => !s.IsPending))
        {
            foreach (var window in document.BurnRateAlerts)
            {
                var route = AlertRoute.For($"huntaze-prod-slo-{slo.Id}-{window.Name}", document);
                Assert.Equal((slo.Id, window.Name), (route.Slo?.Id, route.BurnRate?.Name));
            }
        }
    }

    [Fact]
    public void BuiltArm_WarningDirectAndAvailabilityRules_NamedAsTheRelayRoutes()
    {
        Assert.Equal("[format('{0}warn-{1}', parameters('namePrefix'), variables('slo').warnings[copyIndex()].id)]", (string)Resource("warningAlerts")["name"]!);
        Assert.Equal("[length(variables('slo').warnings)]", (string)Resource("warningAlerts")["copy"]!["count"]!);
        Assert.Equal("[format('{0}alert-{1}', parameters('namePrefix'), variables('slo').directAlerts[copyIndex()].id)]", (string)Resource("directAlerts")["name"]!);
        Assert.Equal("[length(variables('slo').directAlerts)]", (string)Resource("directAlerts")["copy"]!["count"]!);
        Assert.Equal("[format('{0}availability', parameters('namePrefix'))]", (string)Resource("readinessAlert")["name"]!);
        Assert.Equal("availability", AlertRoute.For("huntaze-prod-availability", SloDocument.Current).Kind);
    }

    [Fact]
    public void BuiltArm_Workbook_IsTheCommittedGeneratedWorkbook()
    {
        var inlined = (string)Follow(Resource("workbook")["properties"]!["serializedData"]!)!;

        Assert.Equal(File.ReadAllText(RepositoryFiles.Path("observability", "dashboards", "azure-workbook.json")), inlined);
    }

    /// <summary>A variable's value, following <c>[variables('…')]</c> indirections (loadJsonContent/loadTextContent land in <c>$fxv#n</c>).</summary>
    private static JsonNode Variable(string name) => Follow(Module.Value["variables"]![name]!);

    private static JsonNode Follow(JsonNode node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.StartsWith("[variables('", StringComparison.Ordinal) && text.EndsWith("')]", StringComparison.Ordinal)
            ? Variable(text["[variables('".Length..^"')]".Length])
            : node;

    /// <summary>Bicep writes non-integers as <c>[json('14.4')]</c> expressions; back to numbers for comparison.</summary>
    private static JsonNode? Numbers(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Numbers(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Numbers)]),
        JsonValue v when v.TryGetValue<string>(out var text) && text.StartsWith("[json('", StringComparison.Ordinal) && text.EndsWith("')]", StringComparison.Ordinal)
            => JsonNode.Parse(text["[json('".Length..^"')]".Length]),
        _ => node?.DeepClone(),
    };

    private static JsonObject Resource(string symbol) => Module.Value["resources"]![symbol]!.AsObject();

    private static JsonObject BuildSloAlertsModule()
    {
        var arm = JsonNode.Parse(Run(BicepCli(), $"build \"{RepositoryFiles.Path("bicep", "main.bicep")}\" --stdout"))!;
        var module = arm["resources"]!["sloAlerts"] ?? throw new InvalidOperationException("main.bicep has no module 'sloAlerts'.");
        return module["properties"]!["template"]!.AsObject();
    }

    /// <summary>The Bicep CLI that tools/bicep/bicep.proj restores (the same one CI's .ci/bicep.sh runs).</summary>
    private static string BicepCli()
    {
        var project = RepositoryFiles.Path("tools", "bicep", "bicep.proj");
        Run("dotnet", $"restore \"{project}\" --nologo --verbosity quiet");
        var root = Run("dotnet", $"msbuild \"{project}\" -nologo -getProperty:NuGetPackageRoot").Trim();
        var version = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(project), "<BicepVersion>(.*)</BicepVersion>").Groups[1].Value;
        var cli = Path.Combine(root, "azure.bicep.commandline.linux-x64", version, "tools", "bicep");
        Assert.True(File.Exists(cli), $"Bicep CLI not found at {cli}");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cli, File.GetUnixFileMode(cli) | UnixFileMode.UserExecute);
        }

        return cli;
    }

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish in 3 minutes.");
        }

        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed ({process.ExitCode}): {error.Result}");
        return output.Result;
    }
}
