using System.Reflection;

namespace Huntaze.Functions.Platform.Health;

/// <summary>
/// The build this process runs, stamped into the assembly at build time (Directory.Build.props: the
/// <c>HuntazeCommit</c> and <c>Version</c> properties). The deploy smoke test compares <see cref="Commit"/> with
/// the commit it released, so a deployment that silently kept the old code fails.
/// </summary>
public sealed record BuildInfo(string Commit, string Version)
{
    public const string CommitKey = "Huntaze.Commit";
    public const string VersionKey = "Huntaze.Version";
    public const string Unknown = "unknown";

    public static BuildInfo Current { get; } = From(typeof(BuildInfo).Assembly);

    public static BuildInfo From(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => !string.IsNullOrWhiteSpace(a.Value))
            .GroupBy(a => a.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value!, StringComparer.Ordinal);
        return new BuildInfo(metadata.GetValueOrDefault(CommitKey, Unknown), metadata.GetValueOrDefault(VersionKey, Unknown));
    }
}
