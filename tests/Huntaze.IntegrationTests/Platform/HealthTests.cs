using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Huntaze.Functions.Platform.Health;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;

namespace Huntaze.IntegrationTests.Platform;

public sealed class HealthTests(HostFixture fixture)
{
    [Fact]
    public async Task Health_Anonymous_Returns200AliveWithTheBuild()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync("/api/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("alive", body.RootElement.GetProperty("status").GetString());
        var build = body.RootElement.GetProperty("build");
        Assert.Equal(BuildInfo.Current.Commit, build.GetProperty("commit").GetString());
        Assert.Equal(BuildInfo.Current.Version, build.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Ready_StorageUp_Returns200WithEachDependency()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync("/api/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("healthy", checks.GetProperty("tableStorage").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("blobStorage").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_AzuriteStoppedThenRestarted_Turns503Within2sThen200()
    {
        // Its own Azurite and host: stopping the shared one would break the tests running beside it.
        var ct = TestContext.Current.CancellationToken;
        var ports = AzuritePorts.Free();
        var azurite = await AzuriteProcess.StartAsync(ports, null, ct);
        await using var host = await LocalHostInstance.StartAsync(HostFixture.BaseSettings(azurite.ConnectionString, "ready"), ct);
        using var client = host.CreateClient();
        using (var before = await client.GetAsync("/api/health/ready", ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await azurite.DisposeAsync();
        var stopped = Stopwatch.StartNew();
        HttpResponseMessage down;
        do
        {
            down = await client.GetAsync("/api/health/ready", ct);
        }
        while (down.StatusCode == HttpStatusCode.OK && stopped.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(2), $"readiness took {stopped.Elapsed.TotalMilliseconds:0} ms to turn 503");
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        Assert.Contains("tableStorage", await down.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        down.Dispose();

        await using var restarted = await AzuriteProcess.StartAsync(ports, null, ct);
        await Eventually.HoldsAsync(
            async () => (await client.GetAsync("/api/health/ready", ct)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(15),
            "readiness returns to 200 once Azurite is back");
    }
}
