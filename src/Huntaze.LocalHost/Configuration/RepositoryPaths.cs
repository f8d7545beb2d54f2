namespace Huntaze.LocalHost.Configuration;

/// <summary>Finds files of the repository the local host was built from.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding Huntaze.Functions.sln, searched upwards from the working and base directories.</summary>
    public static string? FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Huntaze.Functions.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
