using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Delivery;

/// <summary>scripts/deploy/previous-release.sh: the rollback workflow's default target, in a scratch repository.</summary>
public sealed class PreviousReleaseScriptTests : IDisposable
{
    private const string Script = "scripts/deploy/previous-release.sh";
    private readonly string _repo = Directory.CreateTempSubdirectory("huntaze-releases-").FullName;
    private readonly Dictionary<string, string> _commits = [];

    public PreviousReleaseScriptTests()
    {
        Git("init", "-q");
        // v1.0.10 sorts after v1.0.9 as a version, before it as text: the script must compare versions.
        foreach (var tag in new[] { "v1.0.8", "v1.0.9", "v1.0.10" })
        {
            Git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "--allow-empty", "-m", tag);
            Git("tag", tag);
            _commits[tag] = Git("rev-parse", "HEAD").Trim();
        }

        Git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "--allow-empty", "-m", "unreleased");
        _commits["unreleased"] = Git("rev-parse", "HEAD").Trim();
    }

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    [Theory]
    [InlineData("v1.0.10", "v1.0.9")]
    [InlineData("v1.0.9", "v1.0.8")]
    public async Task Previous_CurrentIsARelease_PrintsTheReleaseBefore(string current, string expected)
    {
        var result = await RunAsync(_commits[current]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(expected, result.Output.Trim());
    }

    [Theory]
    [InlineData("v1.0.8", "no release precedes v1.0.8")]
    [InlineData("unreleased", "has no release tag")]
    public async Task Previous_NothingToRollBackTo_FailsWithExit1(string current, string message)
    {
        var result = await RunAsync(_commits[current]);

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains(message, result.Output, StringComparison.Ordinal);
    }

    private Task<ScriptProcess.Result> RunAsync(string commit) =>
        ScriptProcess.RunAsync(Script, [commit], new Dictionary<string, string>(), TestContext.Current.CancellationToken, _repo);

    private string Git(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = _repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {process.StandardError.ReadToEnd()}");
    }
}
