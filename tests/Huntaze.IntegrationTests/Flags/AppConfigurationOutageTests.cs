using System.Text.Json;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Security;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost;
using Huntaze.LocalHost.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Flags;

/// <summary>A host whose flags come from an App Configuration stand-in that then goes away.</summary>
public sealed class AppConfigurationOutageTests
{
    [Fact]
    public async Task AppConfigurationUnreachable_LastKnownGoodFlagsServeAndReadinessIsDegraded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), null, ct);
        var appConfiguration = await StartFakeAppConfigurationAsync(ct);
        var settings = HostFixture.BaseSettings(azurite.ConnectionString, "outage");
        settings["Flags__AppConfiguration__ConnectionString"] = $"Endpoint={appConfiguration.Urls.First()};Id=test;Secret={Convert.ToBase64String("secret"u8)}";
        settings["Flags__AppConfiguration__TimeoutSeconds"] = "1";
        settings["Flags__AppConfiguration__MaxRetries"] = "0";
        // The stand-in refuses writes (405): seeding must fail quietly and never stop the sync or the start-up.
        settings["Flags__SeedEnabled__0"] = "Seeded.Refused";
        await using var host = await LocalHostInstance.StartAsync(settings, ct);
        var gate = host.Services.GetRequiredService<IFeatureGate>();
        var caller = new Caller("u-1", new HashSet<string> { Roles.User }, "FR", CredentialKind.Bearer);
        await Eventually.HoldsAsync(async () => await gate.IsEnabledAsync(FeatureNames.Onboarding, caller, ct), TimeSpan.FromSeconds(10), "flags load from App Configuration");
        using var client = host.CreateClient();
        Assert.Equal("healthy", await FlagsReadinessAsync(client, ct));

        await appConfiguration.StopAsync(ct);
        await appConfiguration.DisposeAsync();
        await Eventually.HoldsAsync(async () => await FlagsReadinessAsync(client, ct) == "degraded", TimeSpan.FromSeconds(15), "readiness reports the source unreachable");

        Assert.True(await gate.IsEnabledAsync(FeatureNames.Onboarding, caller, ct));
    }

    private static async Task<string?> FlagsReadinessAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/api/health/ready", ct);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.TryGetProperty("checks", out var checks) ? checks.GetProperty("flags").GetProperty("status").GetString() : null;
    }

    /// <summary>Serves one enabled Onboarding flag as the App Configuration list API would (signatures are checked by the unit tests).</summary>
    private static async Task<WebApplication> StartFakeAppConfigurationAsync(CancellationToken ct)
    {
        var item = new Dictionary<string, object?>
        {
            ["key"] = ".appconfig.featureflag/Onboarding",
            ["label"] = null,
            ["value"] = "{\"id\":\"Onboarding\",\"enabled\":true}",
            ["etag"] = "e1",
        };
        return await LoopbackServer.StartAsync(
            app =>
            {
                app.MapGet("/kv", () => Results.Json(new Dictionary<string, object?> { ["items"] = new[] { item } }));
                app.MapGet("/kv/{key}", (string key) => key == ".appconfig.featureflag/Onboarding" ? Results.Json(item) : Results.NotFound());
            },
            ct);
    }
}
