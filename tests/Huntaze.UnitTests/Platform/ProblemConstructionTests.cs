using System.Text.RegularExpressions;

namespace Huntaze.UnitTests.Platform;

/// <summary>Each problem is defined once, in Platform/Http/Problems.cs: nothing else builds one or its extension members.</summary>
public sealed partial class ProblemConstructionTests
{
    [Fact]
    public void Sources_OutsideTheFactory_NeverBuildAProblemOrItsExtensions()
    {
        var root = Path.Combine(RepositoryRoot(), "src");
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !f.EndsWith(Path.Combine("Platform", "Http", "Problems.cs"), StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(root, f), Line: i + 1, Text: line)))
            .Where(l => HandBuilt().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Build problems with Problems.*:\n" + string.Join("\n", offenders));
    }

    [GeneratedRegex(@"new\s+ProblemException\s*\(|new\s*\(\s*ProblemTypes\.|\[""errors""\]\s*=|ProblemWriter\.WriteAsync\([^,]+,\s*ProblemTypes\.")]
    private static partial Regex HandBuilt();

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
