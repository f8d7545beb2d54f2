using System.Net;
using System.Text;
using System.Text.Json;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Security;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;
using Huntaze.UnitTests.Flags;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Flags;

/// <summary>One local host whose flags live in an in-test App Configuration reached over HTTP, with its own Azurite.</summary>
public sealed class AppConfigurationHostFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public AppConfigurationServerHost AppConfiguration { get; private set; } = null!;

    public LocalHostInstance Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _azurite = await HostFixture.StartAzuriteAsync(CancellationToken.None);
        AppConfiguration = await AppConfigurationServerHost.StartAsync(CancellationToken.None);
        var settings = HostFixture.BaseSettings(_azurite.ConnectionString, "appcfg");
        settings["Flags__AppConfiguration__ConnectionString"] = AppConfiguration.ConnectionString;
        settings["Flags__AppConfiguration__BaseDelaySeconds"] = "0.05";
        Host = await LocalHostInstance.StartAsync(settings, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await AppConfiguration.DisposeAsync();
        await _azurite!.DisposeAsync();
    }

    public HttpClient Admin(string? adminId = null)
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(adminId ?? HostFixture.NewUserId("admin"), "FR", ["admin"]));
        return client;
    }
}

/// <summary>
/// The review's findings against App Configuration, through the local host over HTTP: documents written the
/// way the portal writes them are understood, unreadable ones are shown and fail safe, the kill switch always
/// flips, single-key requests leave the null label out, and lost write responses are recognised.
/// </summary>
public sealed class AppConfigurationFidelityTests(AppConfigurationHostFixture fixture) : IClassFixture<AppConfigurationHostFixture>
{
    private const string Prefix = ".appconfig.featureflag/";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task KillSwitch_WrittenInThePortalWithTelemetry_IsActiveShownAndFlipsOffKeepingTelemetry()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.Admin();
        fixture.AppConfiguration.Server.Put(Prefix + FeatureNames.KillSwitch, string.Empty, PortalFlagDocuments.KillSwitchWithTelemetry);

        await Eventually.HoldsAsync(async () => (await KillSwitchAsync(admin, ct)).Active, Budget, "the portal-written kill switch is active");
        using var shown = await admin.GetAsync($"/api/admin/feature-flags/{FeatureNames.KillSwitch}", ct);
        using var flipped = await admin.PostAsync("/api/admin/kill-switch", Json("{\"active\":false,\"reason\":\"INC-42 resolved\"}"), ct);

        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        using (var body = JsonDocument.Parse(await shown.Content.ReadAsStringAsync(ct)))
        {
            Assert.Contains(body.RootElement.GetProperty("ignored").EnumerateArray(), n => n.GetString()!.StartsWith("'telemetry' is kept", StringComparison.Ordinal));
        }

        Assert.Equal(HttpStatusCode.OK, flipped.StatusCode);
        Assert.False((await KillSwitchAsync(admin, ct)).Active);
        var stored = fixture.AppConfiguration.Server.Item(Prefix + FeatureNames.KillSwitch)!["value"]!.GetValue<string>();
        Assert.Contains("\"telemetry\":{\"enabled\":false}", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.AppConfiguration.Server.Requests, r => r.RequestUri!.AbsolutePath.StartsWith("/kv/", StringComparison.Ordinal) && r.RequestUri.Query.Contains("label=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KillSwitch_UnreadableDocument_CountsAsActiveReadinessSaysWhyAndPostStillFlips()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.Admin();
        var etag = fixture.AppConfiguration.Server.Put(Prefix + FeatureNames.KillSwitch, string.Empty, "{\"id\":\"Onboarding.KillSwitch\",\"enabled\":\"maybe\"}");

        await Eventually.HoldsAsync(async () => (await KillSwitchAsync(admin, ct)).Active, Budget, "an unreadable kill switch counts as active");
        var readiness = await FlagsReadinessAsync(admin, ct);
        using var list = await admin.GetAsync("/api/admin/feature-flags", ct);
        using var flipped = await admin.PostAsync("/api/admin/kill-switch", Json("{\"active\":false}"), ct);

        Assert.Equal("degraded", readiness.GetProperty("status").GetString());
        Assert.Contains("Onboarding.KillSwitch", readiness.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync(ct));
        var entry = listed.RootElement.GetProperty("flags").EnumerateArray().Single(f => f.GetProperty("name").GetString() == FeatureNames.KillSwitch);
        Assert.False(entry.GetProperty("readable").GetBoolean());
        Assert.Contains("'enabled' must be true or false.", entry.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, flipped.StatusCode);
        Assert.Contains(fixture.AppConfiguration.Server.Requests, r => r.Method == HttpMethod.Put && r.Headers.IfMatch.ToString() == $"\"{etag}\"");
        Assert.False((await KillSwitchAsync(admin, ct)).Active);
    }

    [Fact]
    public async Task Patch_WriteResponseLostThenRetriedInto412_Answers200AndIsAuditedOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.Admin();
        var name = "Test." + Guid.NewGuid().ToString("N")[..12];
        fixture.AppConfiguration.Server.LoseWriteResponses = 1;

        using var response = await admin.PatchAsync($"/api/admin/feature-flags/{name}", Json("{\"enabled\":true}"), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, fixture.AppConfiguration.Server.LoseWriteResponses);
        using var audit = await admin.GetAsync($"/api/admin/audit?target=feature-flag:{name}", ct);
        using var entries = JsonDocument.Parse(await audit.Content.ReadAsStringAsync(ct));
        Assert.Single(entries.RootElement.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Patch_BeyondTheKeyValueLimit_Returns400NamingTheLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.Admin();
        var users = string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"user-{i:D5}-{Guid.Empty:N}\""));

        using var response = await admin.PatchAsync($"/api/admin/feature-flags/Test.{Guid.NewGuid():N}"[..40], Json($"{{\"enabled\":true,\"users\":[{users}]}}"), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 10000", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_TwoKeysCarryOneId_SkipsAndReportsThemAndPublishesTheRest()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.Admin();
        var clash = "Test." + Guid.NewGuid().ToString("N")[..12];
        var other = "Test." + Guid.NewGuid().ToString("N")[..12];
        fixture.AppConfiguration.Server.Put(Prefix + clash, string.Empty, $"{{\"id\":\"{clash}\",\"enabled\":true}}");
        fixture.AppConfiguration.Server.Put(Prefix + "legacy/" + clash, string.Empty, $"{{\"id\":\"{clash}\",\"enabled\":false}}");
        fixture.AppConfiguration.Server.Put(Prefix + other, string.Empty, $"{{\"id\":\"{other}\",\"enabled\":true,\"display_name\":\"Other\"}}");
        var gate = fixture.Host.Services.GetRequiredService<IFeatureGate>();
        var caller = new Caller("u-1", new HashSet<string> { Roles.User }, "FR", CredentialKind.Bearer);

        await Eventually.HoldsAsync(async () => await gate.IsEnabledAsync(other, caller, ct), Budget, "the rest of the set is published");
        using var list = await admin.GetAsync("/api/admin/feature-flags", ct);

        Assert.False(await gate.IsEnabledAsync(clash, caller, ct));
        using var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync(ct));
        var clashing = listed.RootElement.GetProperty("flags").EnumerateArray().Where(f => f.GetProperty("id").GetString() == clash).ToList();
        Assert.Equal(2, clashing.Count);
        Assert.All(clashing, f => Assert.Contains("carried by several keys", f.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal));
    }

    private static async Task<(bool Active, string? Reason)> KillSwitchAsync(HttpClient admin, CancellationToken ct)
    {
        using var response = await admin.GetAsync("/api/admin/kill-switch", ct);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        response.EnsureSuccessStatusCode();
        var reason = body.RootElement.TryGetProperty("reason", out var r) ? r.GetString() : null;
        return (body.RootElement.GetProperty("active").GetBoolean() && reason != Functions.Flags.Propagation.KillSwitch.NotLoadedReason, reason);
    }

    private static async Task<JsonElement> FlagsReadinessAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/api/health/ready", ct);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("checks").GetProperty("flags").Clone();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
