using Huntaze.Functions.Platform.Health;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;

namespace Huntaze.IntegrationTests.Delivery;

/// <summary>scripts/deploy/smoke.sh, the deploy and rollback workflows' post-deploy check, against the local host.</summary>
public sealed class SmokeScriptTests(HostFixture fixture)
{
    private const string Script = "scripts/deploy/smoke.sh";

    private static Dictionary<string, string> Timing(int timeoutSeconds) => new()
    {
        ["SMOKE_TIMEOUT_SECONDS"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SMOKE_INTERVAL_SECONDS"] = "0.2",
    };

    [Fact]
    public async Task Smoke_HostRunsExpectedCommit_PassesWithExit0()
    {
        var result = await ScriptProcess.RunAsync(Script, [fixture.Host.BaseAddress.ToString(), BuildInfo.Current.Commit], Timing(60), TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"runs {BuildInfo.Current.Commit}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_HostRunsAnotherCommit_FailsWithExit1NamingBoth()
    {
        const string expected = "0123456789abcdef0123456789abcdef01234567";

        var result = await ScriptProcess.RunAsync(Script, [fixture.Host.BaseAddress.ToString(), expected], Timing(2), TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains($"reports commit '{BuildInfo.Current.Commit}'", result.Output, StringComparison.Ordinal);
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_NotReadyUntilStorageReturns_RetriesThenPasses()
    {
        // Its own Azurite and host: the readiness probe must fail first (storage down), then recover.
        var ct = TestContext.Current.CancellationToken;
        var ports = AzuritePorts.Free();
        var azurite = await AzuriteProcess.StartAsync(ports, null, ct);
        await using var host = await LocalHostInstance.StartAsync(HostFixture.BaseSettings(azurite.ConnectionString, "smoke"), ct);
        await azurite.DisposeAsync();

        var smoke = ScriptProcess.RunAsync(Script, [host.BaseAddress.ToString(), BuildInfo.Current.Commit], Timing(90), ct);
        await Eventually.HoldsAsync(async () =>
        {
            using var client = host.CreateClient();
            using var ready = await client.GetAsync("/api/health/ready", ct);
            return ready.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(15), "readiness reports storage down while the smoke test runs");
        Assert.False(smoke.IsCompleted, "the smoke test must still be waiting for readiness");

        await using var restarted = await AzuriteProcess.StartAsync(ports, null, ct);
        var result = await smoke;

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Fact]
    public async Task Smoke_NeverReady_FailsWithExit2()
    {
        var ct = TestContext.Current.CancellationToken;
        var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), null, ct);
        await using var host = await LocalHostInstance.StartAsync(HostFixture.BaseSettings(azurite.ConnectionString, "smokedown"), ct);
        await azurite.DisposeAsync();

        var result = await ScriptProcess.RunAsync(Script, [host.BaseAddress.ToString(), BuildInfo.Current.Commit], Timing(3), ct);

        Assert.True(result.ExitCode == 2, result.Output);
        Assert.Contains("/api/health/ready answered 503", result.Output, StringComparison.Ordinal);
    }
}
