using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Configuration;

namespace Huntaze.IntegrationTests.Contract;

/// <summary>The committed Kiota client is what Kiota generates from the committed document today.</summary>
public sealed class KiotaClientTests
{
    [Fact]
    public async Task CommittedClient_EqualsAFreshKiotaGeneration()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = RepositoryPaths.FindRoot()!;
        var fresh = Directory.CreateTempSubdirectory("huntaze-kiota-");
        try
        {
            var run = await ScriptProcess.RunAsync("scripts/contract/kiota.sh", [fresh.FullName], new Dictionary<string, string>(), ct);
            Assert.True(run.ExitCode == 0, run.Output);

            var committed = Files(Path.Combine(root, "tests", "Huntaze.ContractClient", "Generated"));
            var generated = Files(fresh.FullName);
            Assert.Equal(generated.Keys.Order(StringComparer.Ordinal), committed.Keys.Order(StringComparer.Ordinal));
            var stale = generated.Where(f => f.Value != committed[f.Key]).Select(f => f.Key).ToList();
            Assert.True(stale.Count == 0, $"Regenerate the client (bash scripts/contract/regenerate.sh): {string.Join(", ", stale)} differ.");
        }
        finally
        {
            fresh.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), f => File.ReadAllText(f).ReplaceLineEndings("\n"), StringComparer.Ordinal);
}
