using System.Reflection;
using Huntaze.Functions.Platform.Http;

namespace Huntaze.UnitTests.Platform;

public sealed class ProblemTypesDocTests
{
    [Fact]
    public void ProblemsDoc_EveryProblemType_IsDocumentedWithItsStatus()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "api", "problems.md"));
        var types = typeof(ProblemTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (ProblemType)f.GetValue(null)!)
            .ToArray();

        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Contains($"| `{t.Slug}` | {t.Status} |", doc, StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Huntaze.Functions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
