using System.Reflection;

namespace Huntaze.LocalHost;

/// <summary>How a local host is built: by <c>dotnet run</c> (defaults) or by a test fixture.</summary>
public sealed record LocalHostOptions
{
    /// <summary>Assemblies whose functions are served besides the app's own (test-only functions).</summary>
    public IReadOnlyList<Assembly> ExtraFunctionAssemblies { get; init; } = [];

    /// <summary>Settings applied over local.settings.json and the environment.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Whether to read local.settings.json (tests don't: they state their settings).</summary>
    public bool UseLocalSettingsFile { get; init; } = true;

    /// <summary>
    /// Registrations applied after the app's own composition: tests add a fake clock or in-memory telemetry
    /// exporters, or replace a boundary that cannot fail on demand here (a store that hangs), everything else real.
    /// </summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Whether to print the function table at start.</summary>
    public bool PrintFunctionTable { get; init; } = true;
}
