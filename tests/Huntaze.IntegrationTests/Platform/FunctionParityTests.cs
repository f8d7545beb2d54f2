using System.Text.Json;
using Huntaze.Functions.Platform.Hosting;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>
/// The local host must see the app exactly as the Functions host will: the same functions, triggers,
/// routes and methods as the functions.metadata file the Functions SDK writes at build.
/// </summary>
public sealed class FunctionParityTests
{
    private static readonly Dictionary<TriggerKind, string> BindingTypes = new()
    {
        [TriggerKind.Http] = "httpTrigger",
        [TriggerKind.Timer] = "timerTrigger",
        [TriggerKind.Orchestration] = "orchestrationTrigger",
        [TriggerKind.Activity] = "activityTrigger",
    };

    [Fact]
    public void Catalog_AppAssembly_MatchesGeneratedFunctionsMetadata()
    {
        var fromMetadata = ReadMetadata().OrderBy(f => f, StringComparer.Ordinal).ToArray();
        var discovered = FunctionCatalog.ForApp().Functions
            .Select(f => Describe(f.Name, BindingTypes[f.Trigger], f.Route, f.HttpMethods, f.Schedule))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

        Assert.NotEmpty(fromMetadata);
        Assert.Equal(fromMetadata, discovered);
    }

    private static IEnumerable<string> ReadMetadata()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FindMetadataFile()));
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var trigger = function.GetProperty("bindings").EnumerateArray()
                .First(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            var type = trigger.GetProperty("type").GetString()!;
            var methods = trigger.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToArray() : [];
            var route = trigger.TryGetProperty("route", out var r) ? r.GetString() : type == "httpTrigger" ? function.GetProperty("name").GetString() : null;
            var schedule = trigger.TryGetProperty("schedule", out var s) ? s.GetString() : null;
            yield return Describe(function.GetProperty("name").GetString()!, type, route, methods, schedule);
        }
    }

    private static string Describe(string name, string type, string? route, IEnumerable<string> methods, string? schedule) =>
        $"{name} {type} route={route} methods={string.Join(",", methods.Order(StringComparer.Ordinal))} schedule={schedule}";

    /// <summary>The app's functions.metadata from the same build configuration as this test assembly.</summary>
    private static string FindMetadataFile()
    {
        var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var configuration = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        var dir = new DirectoryInfo(baseDir);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Huntaze.Functions.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir!.FullName, "src", "Huntaze.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}: build src/Huntaze.Functions first.");
        return path;
    }
}
