using System.Security.Cryptography;
using Huntaze.Cli.Tokens;
using Huntaze.LocalHost.Storage;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Huntaze.IntegrationTests.Infrastructure.HostFixture))]

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>
/// One Azurite (in-memory, free ports) and one local host per test assembly. Tests isolate themselves
/// by user ids and names of their own; a test that needs to break storage starts its own pair.
/// </summary>
public sealed class HostFixture : IAsyncLifetime
{
    public const string Issuer = "https://huntaze.local/test";
    public const string Audience = "api://huntaze-onboarding";
    public const string AllowedOrigin = "https://app.huntaze.test";

    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private AzuriteProcess? _azurite;
    private LocalHostInstance? _host;

    public AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Not started.");

    public LocalHostInstance Host => _host ?? throw new InvalidOperationException("Not started.");

    /// <summary>Table prefix shared by every host of this fixture (a second instance sees the same data).</summary>
    public string TablePrefix { get; } = "t" + Guid.NewGuid().ToString("N")[..8];

    public IServiceProvider Services => Host.Services;

    /// <summary>
    /// The settings every test host starts with; tests may add or override. The Durable provider's tuning is
    /// the one developers run (local.settings.sample.json), so tests run the local configuration that ships.
    /// </summary>
    public static Dictionary<string, string?> BaseSettings(string storageConnectionString, string tablePrefix) => new(SampleDurableSettings.Value)
    {
        ["AzureWebJobsStorage"] = storageConnectionString,
        ["Storage__TablePrefix"] = tablePrefix,
        ["Auth__Issuer"] = Issuer,
        ["Auth__Audience"] = Audience,
        ["Auth__DevelopmentSigningKey"] = SigningKey,
        ["TestTimer__Schedule"] = "*/1 * * * * *",
        // The backup timers run when a test asks (POST /admin/functions/{name}), never on their own during a run.
        ["Backups__Schedule"] = "0 0 2 1 1 *",
        ["Backups__DrillSchedule"] = "0 0 4 1 1 *",
        // A timer binding expression, required like in Azure (bicep sets it); yearly so it never runs by itself in tests.
        ["Privacy__RetentionSchedule"] = "0 0 0 1 1 *",
        // All tests share 127.0.0.1 and run in parallel: anonymous and read limits are raised here;
        // the rate-limit tests use per-user policies, or hosts of their own.
        ["RateLimits__anonymous__Limit"] = "100000",
        ["RateLimits__reads__Limit"] = "100000",
        ["Security__AllowedOrigins__0"] = AllowedOrigin,
        // The onboarding experience ships behind its flag; tests start with it on (never changed once it exists).
        ["Flags__SeedEnabled__0"] = "Onboarding",
        // Denials are written in the background; tests wait for them, so they are written every second.
        ["Audit__DenialFlushSeconds"] = "1",
        // Test hosts write to the test run's console: warnings and errors only, and the provider's errors only
        // (its "partition table exceeded the 2-second timeout" warnings under load were most of the CI log).
        // A test that needs a host's logs overrides these.
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__DurableTask.AzureStorage"] = "Error",
    };

    private static readonly Lazy<Dictionary<string, string?>> SampleDurableSettings = new(Huntaze.LocalHost.Configuration.LocalSettings.SampleDurableTuning);

    public async ValueTask InitializeAsync()
    {
        _azurite = await StartAzuriteAsync(CancellationToken.None);
        _host = await LocalHostInstance.StartAsync(BaseSettings(_azurite.ConnectionString, TablePrefix), CancellationToken.None);
        // Every test may use the shared host at once: it starts when the machine is busiest, and a host whose first
        // flag snapshot missed the start-up wait serves the fail-safe set (onboarding off, 503) until the sync publishes.
        await _host.WaitUntilOnboardingEnabledAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>An in-memory Azurite on free ports; ports lost to another process before Azurite bound them are retried.</summary>
    public static async Task<AzuriteProcess> StartAzuriteAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AzuriteProcess.StartAsync(AzuritePorts.Free(), location: null, cancellationToken);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Azurite exited before listening: most likely a port was taken meanwhile.
            }
        }
    }

    /// <summary>
    /// Another local host over the same storage (another "instance" of the app). <paramref name="configureServices"/>
    /// runs after the app's composition, to replace a boundary (e.g. a storage client that injects faults).
    /// </summary>
    public Task<LocalHostInstance> StartSecondHostAsync(IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var settings = BaseSettings(Azurite.ConnectionString, TablePrefix);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return LocalHostInstance.StartAsync(settings, configureServices, CancellationToken.None);
    }

    public HttpClient CreateClient() => Host.CreateClient();

    /// <summary>A client sending a bearer token for the user.</summary>
    public HttpClient CreateClient(string userId, string market = "FR", params string[] roles) => Host.CreateClient(userId, market, roles);

    public static string CreateToken(string userId, string? market, IReadOnlyList<string> roles, TimeSpan? lifetime = null) =>
        DevTokenFactory.Create(
            new DevTokenRequest(userId, roles, market, Issuer, Audience, SigningKey, lifetime ?? TimeSpan.FromMinutes(30)),
            DateTimeOffset.UtcNow);

    /// <summary>A user id no other test uses.</summary>
    public static string NewUserId(string prefix = "u") => $"{prefix}-{Guid.NewGuid():N}";
}
