using System.CommandLine;
using System.Text.Json;
using Huntaze.Cli.Privacy;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Spectre.Console;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary><c>huntaze dsr …</c> against the local host's admin API, with a DPO token, output captured.</summary>
public sealed class DsrCliTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Export_WithOut_FollowsToCompletionAndSavesTheArchive()
    {
        var user = HostFixture.NewUserId("cli");
        await SeedAsync(user);
        var archive = Path.Combine(Path.GetTempPath(), $"{user}.zip");
        try
        {
            var (exit, output) = await RunAsync("export", "--user", user, "--reason", "Asked at the desk", "--out", archive);

            Assert.True(exit == 0, output);
            Assert.Contains("Status: completed", output, StringComparison.Ordinal);
            Assert.Contains("Archive saved to", output, StringComparison.Ordinal);
            var manifest = JsonDocument.Parse(Zip.Entries(await File.ReadAllBytesAsync(archive, Ct))["manifest.json"]).RootElement;
            Assert.Equal(user, manifest.GetProperty("subject").GetString());
        }
        finally
        {
            File.Delete(archive);
        }
    }

    [Fact]
    public async Task Delete_PreviewThenWithoutConfirm_PreviewCountsAndRefusal()
    {
        var user = HostFixture.NewUserId("clidel");
        await SeedAsync(user);

        var (previewExit, preview) = await RunAsync("delete", "--user", user, "--reason", "r", "--preview");
        var (refusedExit, refused) = await RunAsync("delete", "--user", user, "--reason", "r");

        Assert.True(previewExit == 0, preview);
        Assert.Contains("OnboardingProgress", preview, StringComparison.Ordinal);
        Assert.Equal(2, refusedExit);
        Assert.Contains("confirm", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteConfirmedThenStatusAndList_ReportVerificationAndQueue()
    {
        var user = HostFixture.NewUserId("clierase");
        await SeedAsync(user);

        var (exit, output) = await RunAsync("delete", "--user", user, "--reason", "Account closed", "--confirm");
        var id = output.Split("Request ", 2)[1].Split(' ', 2)[0];
        var (statusExit, status) = await RunAsync("status", id);
        var (listExit, list) = await RunAsync("list");

        Assert.True(exit == 0, output);
        Assert.Contains("no data of the subject left in any store", output, StringComparison.Ordinal);
        Assert.Equal(0, statusExit);
        Assert.Contains("completed", status, StringComparison.Ordinal);
        Assert.Equal(0, listExit);
        Assert.DoesNotContain(id, list, StringComparison.Ordinal); // closed requests leave the queue
    }

    private async Task SeedAsync(string user)
    {
        await fixture.Host.WaitUntilOnboardingEnabledAsync();
        using var api = new OnboardingApi(new PrivacyApi(fixture.Host).User(user));
        using var write = await api.PatchAsync("creator_assessment", new { status = "in_progress", data = new { city = "Lyon" } }, "\"step-0\"");
        Assert.True(write.IsSuccessStatusCode);
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(writer) });
        var token = HostFixture.CreateToken(HostFixture.NewUserId("clidpo"), null, ["dpo"]);
        var root = new RootCommand { DsrCommand.Create(console) };
        var exit = await root.Parse(["dsr", .. args, "--url", fixture.Host.BaseAddress.ToString(), "--token", token]).InvokeAsync(cancellationToken: Ct);
        return (exit, writer.ToString());
    }
}
