using System.Net;
using System.Text;
using System.Text.Json;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Flags;

/// <summary>
/// The kill switch across instances: two local hosts over their own Azurite (flipping the switch on the
/// shared fixture would switch onboarding off for every other test).
/// </summary>
public sealed class FlagPropagationTests : IAsyncLifetime
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);
    private AzuriteProcess? _azurite;
    private LocalHostInstance? _first;
    private LocalHostInstance? _second;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), null, ct);
        var settings = HostFixture.BaseSettings(_azurite.ConnectionString, "flagprop");
        _first = await LocalHostInstance.StartAsync(settings, ct);
        _second = await LocalHostInstance.StartAsync(settings, ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in new IAsyncDisposable?[] { _second, _first, _azurite })
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task KillSwitch_FlippedThroughAdminApiOnOneInstance_ObservedByTheOtherWithin5s()
    {
        var ct = TestContext.Current.CancellationToken;
        using var first = Admin(_first!);
        using var second = Admin(_second!);

        using var flipped = await first.PostAsync("/api/admin/kill-switch", Json("{\"active\":true,\"reason\":\"integration test\"}"), ct);
        Assert.Equal(HttpStatusCode.OK, flipped.StatusCode);
        var elapsed = await Eventually.HoldsAsync(() => IsActiveAsync(second, ct), Budget, "the second instance sees the kill switch");

        Assert.True(elapsed < Budget);
        using var report = JsonDocument.Parse(await flipped.Content.ReadAsStringAsync(ct));
        Assert.True(report.RootElement.GetProperty("effectiveOnThisInstance").GetBoolean());
        Assert.Equal(JsonValueKind.String, report.RootElement.GetProperty("observedAt").ValueKind);
    }

    [Fact]
    public async Task KillSwitch_ChangedDirectlyInTheFlagStore_ObservedBySecondInstanceWithin5s()
    {
        var ct = TestContext.Current.CancellationToken;
        using var second = Admin(_second!);
        await Eventually.HoldsAsync(async () => !await IsActiveAsync(second, ct), Budget, "the cold-start fail-safe clears once the snapshot is loaded");
        var store = _first!.Services.GetRequiredService<IFlagStore>();

        // What an operator editing the store directly does (the portal, for App Configuration): no admin API, no publish.
        await store.SaveAsync(new FeatureFlag(FeatureNames.KillSwitch, true, "direct edit"), new Dictionary<string, string>(), FlagWriteCondition.Absent, ct);
        var elapsed = await Eventually.HoldsAsync(() => IsActiveAsync(second, ct), Budget, "the sync publishes and the second instance polls it");

        Assert.True(elapsed < Budget);
    }

    private static HttpClient Admin(LocalHostInstance host)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId("admin"), "FR", ["admin"]));
        return client;
    }

    private static async Task<bool> IsActiveAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/api/admin/kill-switch", ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("active").GetBoolean() &&
               body.RootElement.GetProperty("reason").GetString() != Functions.Flags.Propagation.KillSwitch.NotLoadedReason;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
