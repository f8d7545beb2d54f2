namespace Huntaze.UnitTests.Observability;

internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "observability", "slo.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Repository root (observability/slo.json) not found above the test output.");
    }
}
