using System.Net.Http.Headers;
using Huntaze.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>One local host, in this process, on a free loopback port.</summary>
public sealed class LocalHostInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalHostInstance(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The host's own container: what the functions resolve.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The setting naming the task hub (the Functions host's own override of host.json).</summary>
    public const string HubSetting = "AzureFunctionsJobHost__extensions__durableTask__hubName";

    /// <summary>A task hub name no other host uses.</summary>
    public static string NewHubName() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Starts a host with the app's own services only.</summary>
    public static Task<LocalHostInstance> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken) =>
        StartAsync(settings, configureServices: null, cancellationToken);

    /// <summary>
    /// Starts a host; a port taken between choosing and binding it (another process won the race) is retried.
    /// Each host gets a task hub of its own unless the settings name one: hosts sharing a hub share its work,
    /// and these hosts differ in tables and settings.
    /// </summary>
    /// <param name="configureServices">Registrations applied after the app's own (a fake clock, in-memory telemetry exporters, storage clients that inject faults).</param>
    public static async Task<LocalHostInstance> StartAsync(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        if (!settings.ContainsKey(HubSetting))
        {
            settings = new Dictionary<string, string?>(settings) { [HubSetting] = NewHubName() };
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(settings, configureServices, cancellationToken);
            }
            catch (IOException exception) when (attempt < 3 && exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Chosen-then-bound ports can race other processes; a new attempt picks new ports.
            }
        }
    }

    private static async Task<LocalHostInstance> TryStartAsync(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        var app = LocalHostApp.Build(LoopbackServer.Arguments, new LocalHostOptions
        {
            ExtraFunctionAssemblies = [typeof(LocalHostInstance).Assembly],
            Settings = settings,
            UseLocalSettingsFile = false,
            PrintFunctionTable = false,
            ConfigureServices = configureServices,
        });
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new LocalHostInstance(app, LoopbackServer.AddressOf(app));
    }

    /// <summary>A client whose every response is checked for the headers all responses must carry.</summary>
    public HttpClient CreateClient() => new(new ResponseInvariantsHandler { InnerHandler = new HttpClientHandler { UseCookies = false } })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>A client sending a bearer token for the user (role <c>user</c> unless <paramref name="roles"/> name others).</summary>
    public HttpClient CreateClient(string userId, string market = "FR", params string[] roles)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", HostFixture.CreateToken(userId, market, roles.Length == 0 ? ["user"] : roles));
        return client;
    }

    /// <summary>
    /// Waits until onboarding is on for a caller: the first flag snapshot loads shortly after start, and until then
    /// the host serves the fail-safe set (onboarding off, writes 503; docs/flags.md, "Cold start"). A start under
    /// load can end before the snapshot is in, so tests wait here before they load the host.
    /// </summary>
    public async Task WaitUntilOnboardingEnabledAsync()
    {
        using var client = CreateClient(HostFixture.NewUserId("probe"), "US");
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await client.GetAsync("/api/onboarding");
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && !text.Contains("\"enabled\":false", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(120), "onboarding is enabled by the seeded flag", TimeSpan.FromMilliseconds(200));
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
