using System.Text.RegularExpressions;
using Huntaze.LocalHost.Configuration;
using YamlDotNet.RepresentationModel;

namespace Huntaze.UnitTests.Delivery;

/// <summary>
/// Rules of the delivery pipeline that must never drift (docs/decisions/0014): actions pinned to commits, deploys
/// started only by a green ci, least permissions per job, rollbacks that never rebuild or re-apply infrastructure.
/// </summary>
public sealed partial class WorkflowPolicyTests
{
    private static readonly string Root = RepositoryPaths.FindRoot() ?? throw new InvalidOperationException("Repository root not found.");

    public static TheoryData<string> WorkflowFiles() => [.. Files(".github/workflows")];

    public static TheoryData<string> AllActionFiles() => [.. Files(".github/workflows").Concat(Files(".github/actions"))];

    [Theory]
    [MemberData(nameof(AllActionFiles))]
    public void Uses_EveryStep_IsLocalOrPinnedToA40HexCommitWithItsVersion(string file)
    {
        var offenders = File.ReadAllLines(Path.Combine(Root, file))
            .Select((line, index) => (line, number: index + 1))
            .Select(l => (l.number, l.line, match: UsesLine().Match(l.line)))
            .Where(l => l.match.Success)
            .Where(l => !l.match.Groups["ref"].Value.StartsWith("./", StringComparison.Ordinal) && !PinnedRef().IsMatch(l.match.Groups["ref"].Value + l.match.Groups["rest"].Value))
            .Select(l => $"{file}:{l.number}: {l.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Pin every action to a full commit SHA with its version in a comment (uses: owner/repo@<40 hex> # vX.Y.Z):\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void Uses_PolicyRegex_RejectsTagsAndShortShas()
    {
        Assert.DoesNotMatch(PinnedRef(), "actions/checkout@v4");
        Assert.DoesNotMatch(PinnedRef(), "actions/checkout@11bd719 # v4.2.2");
        Assert.DoesNotMatch(PinnedRef(), "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683");
        Assert.Matches(PinnedRef(), "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2");
    }

    [Fact]
    public void Deploy_Triggers_OnlyACompletedCiRunOnMainOrAManualDispatch()
    {
        var deploy = Load(".github/workflows/deploy.yml");
        var on = (YamlMappingNode)deploy["on"];

        Assert.Equal(["workflow_dispatch", "workflow_run"], on.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        var run = (YamlMappingNode)on["workflow_run"];
        Assert.Equal([Load(".github/workflows/ci.yml")["name"].ToString()], Strings(run["workflows"]));
        Assert.Equal(["completed"], Strings(run["types"]));
        Assert.Equal(["main"], Strings(run["branches"]));
    }

    [Fact]
    public void Deploy_EveryJob_DependsOnTheReleaseJobThatRequiresCiSuccess()
    {
        var jobs = (YamlMappingNode)Load(".github/workflows/deploy.yml")["jobs"];
        var release = (YamlMappingNode)jobs["release"];

        var condition = release["if"].ToString();
        Assert.Contains("github.event.workflow_run.conclusion == 'success'", condition, StringComparison.Ordinal);
        Assert.Contains("github.event.workflow_run.event == 'push'", condition, StringComparison.Ordinal);
        // Whatever started the run (including a manual dispatch), the commit must have a successful ci run on main.
        var steps = string.Join('\n', ((YamlSequenceNode)release["steps"]).Children.OfType<YamlMappingNode>().Where(s => s.Children.ContainsKey("run")).Select(s => s["run"].ToString()));
        Assert.Contains("actions/workflows/ci.yml/runs?head_sha=$commit&branch=main&event=push&status=success", steps, StringComparison.Ordinal);

        foreach (var (name, _) in jobs.Children.Where(j => j.Key.ToString() != "release"))
        {
            Assert.True(DependsOn(jobs, name.ToString(), "release"), $"deploy.yml job '{name}' must (transitively) need 'release'");
        }
    }

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public void Permissions_NoneAtTopAndDeclaredPerJob_IdTokenOnlyWhereAzureLoginRuns(string file)
    {
        var workflow = Load(file);

        Assert.True(workflow.Children.TryGetValue("permissions", out var top) && top is YamlMappingNode { Children.Count: 0 }, $"{file}: top-level 'permissions: {{}}'");
        foreach (var (name, node) in ((YamlMappingNode)workflow["jobs"]).Children)
        {
            var job = (YamlMappingNode)node;
            Assert.True(job.Children.TryGetValue("permissions", out var permissions) && permissions is YamlMappingNode, $"{file}: job '{name}' declares its permissions");
            var idToken = ((YamlMappingNode)permissions).Children.TryGetValue("id-token", out var value) && value.ToString() == "write";
            var logsIn = job.ToString().Contains("azure/login@", StringComparison.Ordinal) || job.Children.ContainsKey("uses");
            Assert.False(idToken && !logsIn, $"{file}: job '{name}' asks for id-token: write without logging in to Azure");
        }
    }

    [Theory]
    [InlineData(".github/workflows/rollback.yml")]
    [InlineData(".github/actions/redeploy/action.yml")]
    public void Rollback_Redeploys_WithoutBuildingOrApplyingInfrastructure(string file)
    {
        var text = File.ReadAllText(Path.Combine(Root, file));

        Assert.DoesNotContain("dotnet ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("az deployment", text, StringComparison.Ordinal);
        Assert.DoesNotContain("setup-dotnet", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rollback_UsesTheKeptPackageAndTheSmokeTest()
    {
        var action = File.ReadAllText(Path.Combine(Root, ".github/actions/redeploy/action.yml"));

        Assert.Contains("gh release download", action, StringComparison.Ordinal);
        Assert.Contains("sha256sum --check", action, StringComparison.Ordinal);
        Assert.Contains("scripts/deploy/smoke.sh", action, StringComparison.Ordinal);
        Assert.Contains("uses: ./.github/actions/redeploy", File.ReadAllText(Path.Combine(Root, ".github/workflows/rollback.yml")), StringComparison.Ordinal);
    }

    private static bool DependsOn(YamlMappingNode jobs, string job, string target)
    {
        var node = (YamlMappingNode)jobs[job];
        if (!node.Children.TryGetValue("needs", out var needs))
        {
            return false;
        }

        var direct = needs is YamlSequenceNode list ? Strings(list) : [needs.ToString()];
        return direct.Contains(target) || direct.Any(d => DependsOn(jobs, d, target));
    }

    private static List<string> Strings(YamlNode node) =>
        node is YamlSequenceNode list ? list.Children.Select(c => c.ToString()).ToList() : [node.ToString()];

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<string> Files(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.yml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [GeneratedRegex(@"^\s*(-\s+)?uses:\s*(?<ref>[^\s#]+)(?<rest>.*)$")]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}\s+#\s*v\d+(\.\d+){0,2}\s*$")]
    private static partial Regex PinnedRef();
}
