using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Backups;

/// <summary>
/// A local host of its own (own table prefix and task hub) over the shared Azurite: a live restore replaces
/// whole tables, so backup tests never share tables with other tests. Stops its host when disposed.
/// </summary>
public sealed class BackupHost : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;

    private BackupHost(Dictionary<string, string?> settings, Action<IServiceCollection>? configureServices, LocalHostInstance host)
    {
        _settings = settings;
        _configureServices = configureServices;
        Host = host;
    }

    public LocalHostInstance Host { get; private set; }

    public string Prefix => _settings["Storage__TablePrefix"]!;

    public StorageClients Storage => Host.Services.GetRequiredService<StorageClients>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<BackupHost> StartAsync(HostFixture fixture, IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var settings = HostFixture.BaseSettings(fixture.Azurite.ConnectionString, "b" + Guid.NewGuid().ToString("N")[..8]);
        settings[LocalHostInstance.HubSetting] = LocalHostInstance.NewHubName();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new BackupHost(settings, configureServices, await LocalHostInstance.StartAsync(settings, configureServices, Ct));
    }

    /// <summary>Stops the host and starts another over the same tables and task hub (an app restart).</summary>
    public async Task RestartAsync()
    {
        await Host.DisposeAsync();
        Host = await LocalHostInstance.StartAsync(_settings, _configureServices, Ct);
    }

    public HttpClient Admin()
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(HostFixture.NewUserId("ops"), null, ["admin"]));
        return client;
    }

    public HttpClient User(string userId)
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(userId, "FR", ["user"]));
        return client;
    }

    /// <summary>Runs a backup through the admin API and waits for it; returns the run's result.</summary>
    public async Task<JsonElement> BackupAsync()
    {
        using var admin = Admin();
        using var started = await admin.PostAsync("/api/admin/backups/run", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var url = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("statusUrl").GetString()!;
        var status = await WaitAsync(url);
        Assert.Equal("completed", status.GetProperty("state").GetString());
        return status.GetProperty("result");
    }

    public async Task<HttpResponseMessage> PostRestoreAsync(object body)
    {
        using var admin = Admin();
        return await admin.PostAsJsonAsync("/api/admin/backups/restore", body, Ct);
    }

    /// <summary>Starts a restore that must be accepted; returns its status URL.</summary>
    public async Task<string> StartRestoreAsync(object body)
    {
        using var response = await PostRestoreAsync(body);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("statusUrl").GetString()!;
    }

    /// <summary>Polls a status URL until the orchestration has ended.</summary>
    public async Task<JsonElement> WaitAsync(string url, TimeSpan? timeout = null)
    {
        JsonElement status = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                using var admin = Admin();
                status = await admin.GetFromJsonAsync<JsonElement>(url, Ct);
                return status.GetProperty("state").GetString() is "completed" or "failed" or "terminated";
            },
            timeout ?? TimeSpan.FromMinutes(3),
            $"{url} did not finish",
            TimeSpan.FromMilliseconds(200));
        return status;
    }

    public async Task<JsonElement> GetStatusAsync(string url)
    {
        using var admin = Admin();
        return await admin.GetFromJsonAsync<JsonElement>(url, Ct);
    }

    public async Task<JsonElement> ListAsync()
    {
        using var admin = Admin();
        return await admin.GetFromJsonAsync<JsonElement>("/api/admin/backups", Ct);
    }

    public async Task<TableClient> TableAsync(string logical) => await Storage.GetTableAsync(logical, Ct);

    /// <summary>Every data row of a table (journal rows left out), by key.</summary>
    public async Task<Dictionary<(string, string), TableEntity>> RowsAsync(string logical, string? prefix = null)
    {
        var table = Storage.TableService.GetTableClient((prefix ?? Prefix) + logical);
        var rows = new Dictionary<(string, string), TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            if (!entity.RowKey.StartsWith("~j", StringComparison.Ordinal))
            {
                rows[(entity.PartitionKey, entity.RowKey)] = entity;
            }
        }

        return rows;
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
