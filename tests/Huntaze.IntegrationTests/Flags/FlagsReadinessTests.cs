using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;

namespace Huntaze.IntegrationTests.Flags;

/// <summary>Readiness of the flags while storage is down: last-known-good flags serve, so the check is degraded, never unhealthy.</summary>
public sealed class FlagsReadinessTests
{
    [Fact]
    public async Task Ready_StorageDown_FlagsCheckSaysDegradedNotUnhealthy()
    {
        var ct = TestContext.Current.CancellationToken;
        var azurite = await HostFixture.StartAzuriteAsync(ct);
        await using var host = await LocalHostInstance.StartAsync(HostFixture.BaseSettings(azurite.ConnectionString, "flagsready"), ct);
        using var client = host.CreateClient();
        await Eventually.HoldsAsync(async () => await FlagsStatusAsync(client, ct) == "healthy", TimeSpan.FromSeconds(15), "flags load");

        await azurite.DisposeAsync();
        var seen = new List<string?>();
        await Eventually.HoldsAsync(
            async () =>
            {
                seen.Add(await FlagsStatusAsync(client, ct));
                return seen[^1] != "healthy";
            },
            TimeSpan.FromSeconds(15),
            "the flags check notices storage is down");

        Assert.Equal("degraded", seen[^1]);
        Assert.DoesNotContain("unhealthy", seen);
    }

    private static async Task<string?> FlagsStatusAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/api/health/ready", ct);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("checks").GetProperty("flags").GetProperty("status").GetString();
    }
}
