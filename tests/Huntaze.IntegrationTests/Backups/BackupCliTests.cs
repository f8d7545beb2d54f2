using System.CommandLine;
using Huntaze.Cli.Backups;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Backups;

/// <summary>The operators' commands against a local host: they talk to the admin API and print the counts.</summary>
public sealed class BackupCliTests(HostFixture fixture)
{
    [Fact]
    public async Task BackupRunListAndDryRunRestore_ThroughTheAdminApi_PrintCountsAndSucceed()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        var token = HostFixture.CreateToken(HostFixture.NewUserId("ops"), null, ["admin"]);
        var url = backups.Host.BaseAddress.ToString();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var (runCode, runOut) = await InvokeAsync(["backup", "run", "--url", url, "--token", token]);
        Assert.True(runCode == 0, runOut);
        Assert.Contains("verified", runOut, StringComparison.Ordinal);

        var (listCode, listOut) = await InvokeAsync(["backup", "list", "--url", url, "--token", token]);
        Assert.Equal(0, listCode);
        Assert.Contains(today, listOut, StringComparison.Ordinal);

        var (restoreCode, restoreOut) = await InvokeAsync(["restore", "--backup", today, "--target", "side", "--dry-run", "--url", url, "--token", token]);
        Assert.True(restoreCode == 0, restoreOut);
        Assert.Contains("Outcome: completed", restoreOut, StringComparison.Ordinal);

        var (badCode, _) = await InvokeAsync(["restore", "--backup", "2001-01-01", "--target", "side", "--url", url, "--token", token]);
        Assert.Equal(1, badCode);
    }

    private static async Task<(int Code, string Output)> InvokeAsync(string[] args)
    {
        var root = new RootCommand { BackupCommands.Backup(), BackupCommands.Restore() };
        using var output = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output }, TestContext.Current.CancellationToken);
        return (code, output.ToString());
    }
}
