using System.CommandLine;
using System.Net;
using System.Text.Json;
using Huntaze.Cli.Rollout;
using Huntaze.IntegrationTests.Flags;
using Huntaze.IntegrationTests.Infrastructure;
using static Huntaze.IntegrationTests.Infrastructure.FakeAlertsEndpoint;

namespace Huntaze.IntegrationTests.Delivery;

/// <summary>
/// <c>huntaze rollout advance</c> (the pipeline's progressive rollout) against the local host's admin API, with a
/// fake Azure Monitor alerts endpoint on 127.0.0.1 saying which alerts fire. Each test uses a flag of its own.
/// </summary>
public sealed class RolloutCommandTests(HostFixture fixture)
{
    private const string SloAlert = "slo-onboarding-availability";

    [Fact]
    public async Task Advance_NoSloAlertFiring_WalksEveryStageCheckingAlertsBeforeEach()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var alerts = await StartAsync(ct);
        // Firing but not an SLO alert, and an SLO alert already closed: neither stops the rollout.
        alerts.Respond = _ => [new Alert("cpu-noise"), new Alert(SloAlert, AlertState: "Closed")];
        var flag = await CreateFlagAsync(ct);

        var (exit, output) = await RunAsync(flag, alerts, ["--force", "--alert", SloAlert], ct);

        Assert.True(exit == 0, output);
        Assert.Equal("100", await StageAsync(flag, ct));
        Assert.Equal(5, alerts.Queries);
        Assert.Contains("50 -> 100 (no alert firing)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advance_SloAlertFiring_LeavesTheFlagUnchangedAndExits3()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var alerts = await StartAsync(ct);
        alerts.Respond = _ => [new Alert(SloAlert)];
        var flag = await CreateFlagAsync(ct);

        var (exit, output) = await RunAsync(flag, alerts, ["--force", "--alert", SloAlert], ct);

        Assert.True(exit == 3, output);
        Assert.Null(await StageAsync(flag, ct));
        Assert.Contains($"alert(s) firing: {SloAlert}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advance_AlertFiresAfterTwoSteps_StopsAtTheStageReached()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var alerts = await StartAsync(ct);
        alerts.Respond = query => query <= 2 ? [] : [new Alert(SloAlert)];
        var flag = await CreateFlagAsync(ct);

        var (exit, output) = await RunAsync(flag, alerts, ["--force"], ct);

        Assert.True(exit == 3, output);
        Assert.Equal("5", await StageAsync(flag, ct));
        Assert.Equal(3, alerts.Queries);
    }

    [Fact]
    public async Task Advance_AlertsEndpointFails_DoesNotAdvanceAndExits4()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var alerts = await StartAsync(ct);
        alerts.Respond = _ => null;
        var flag = await CreateFlagAsync(ct);

        var (exit, output) = await RunAsync(flag, alerts, ["--force"], ct);

        Assert.True(exit == 4, output);
        Assert.Null(await StageAsync(flag, ct));
    }

    [Fact]
    public async Task Advance_DwellTimeNotOver_StopsWaitingAndExits0()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var alerts = await StartAsync(ct);
        var flag = await CreateFlagAsync(ct);

        var (exit, output) = await RunAsync(flag, alerts, [], ct);

        Assert.True(exit == 0, output);
        Assert.Equal("internal", await StageAsync(flag, ct));
        Assert.Contains("waiting:", output, StringComparison.Ordinal);
    }

    private async Task<string> CreateFlagAsync(CancellationToken ct)
    {
        var name = "Rollout." + Guid.NewGuid().ToString("N")[..12];
        using var admin = Admin();
        using var created = await FlagAdminApiTests.PutAsync(admin, name, FlagAdminApiTests.Document(name, enabled: false), ifNoneMatch: "*", ct: ct);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return name;
    }

    private async Task<string?> StageAsync(string flag, CancellationToken ct)
    {
        using var admin = Admin();
        using var body = JsonDocument.Parse(await admin.GetStringAsync($"/api/admin/feature-flags/{flag}", ct));
        return body.RootElement.TryGetProperty("rollout", out var rollout) && rollout.ValueKind == JsonValueKind.Object
            ? rollout.GetProperty("stage").GetString()
            : null;
    }

    private HttpClient Admin() => fixture.CreateClient(HostFixture.NewUserId("ops"), "FR", "admin");

    /// <summary>Runs the command as an operator or the pipeline would, with the token in an environment variable of its own.</summary>
    private async Task<(int Exit, string Output)> RunAsync(string flag, FakeAlertsEndpoint alerts, IReadOnlyList<string> extra, CancellationToken ct)
    {
        var tokenVariable = "HUNTAZE_TEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(tokenVariable, HostFixture.CreateToken(HostFixture.NewUserId("pipeline"), null, ["admin"]));
        try
        {
            var root = new RootCommand { RolloutCommand.Create() };
            using var output = new StringWriter();
            string[] args = ["rollout", "advance", "--api", fixture.Host.BaseAddress.ToString(), "--flag", flag, "--alerts-url", alerts.Url.ToString(), "--api-token-env", tokenVariable, .. extra];
            var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output }, ct);
            return (exit, output.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(tokenVariable, null);
        }
    }
}
