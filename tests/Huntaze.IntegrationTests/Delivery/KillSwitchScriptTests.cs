using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;

namespace Huntaze.IntegrationTests.Delivery;

/// <summary>scripts/deploy/kill-switch.sh, the rollback workflow's optional first step, against the local host.</summary>
public sealed class KillSwitchScriptTests(HostFixture fixture)
{
    private const string Script = "scripts/deploy/kill-switch.sh";

    [Fact]
    public async Task KillSwitch_OnThenOff_TheApiReportsEachState()
    {
        // A host of its own: the kill switch of the shared host would refuse other tests' onboarding writes.
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), null, ct);
        await using var host = await LocalHostInstance.StartAsync(HostFixture.BaseSettings(azurite.ConnectionString, "kill"), ct);
        var token = new Dictionary<string, string> { ["HUNTAZE_API_TOKEN"] = HostFixture.CreateToken(HostFixture.NewUserId("ops"), null, ["admin"]) };

        var on = await ScriptProcess.RunAsync(Script, [host.BaseAddress.ToString(), "on", "rollback drill"], token, ct);
        Assert.True(on.ExitCode == 0, on.Output);
        Assert.True(await ActiveAsync(host, ct));

        var off = await ScriptProcess.RunAsync(Script, [host.BaseAddress.ToString(), "off"], token, ct);
        Assert.True(off.ExitCode == 0, off.Output);
        Assert.False(await ActiveAsync(host, ct));
    }

    [Fact]
    public async Task KillSwitch_TokenWithoutAdminRole_FailsWithExit1()
    {
        var token = new Dictionary<string, string> { ["HUNTAZE_API_TOKEN"] = HostFixture.CreateToken(HostFixture.NewUserId("u"), "FR", ["user"]) };

        var result = await ScriptProcess.RunAsync(Script, [fixture.Host.BaseAddress.ToString(), "on"], token, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains("refused with 403", result.Output, StringComparison.Ordinal);
    }

    private static async Task<bool> ActiveAsync(LocalHostInstance host, CancellationToken ct)
    {
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId("ops"), null, ["admin"]));
        using var body = JsonDocument.Parse(await client.GetStringAsync("/api/admin/kill-switch", ct));
        return body.RootElement.GetProperty("active").GetBoolean();
    }
}
