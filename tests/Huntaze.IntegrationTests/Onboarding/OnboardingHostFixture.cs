using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>
/// A local host for the onboarding tests over the assembly's Azurite, with the per-user write limit
/// raised: the concurrency tests send dozens of writes for one user on purpose.
/// </summary>
public sealed class OnboardingHostFixture(HostFixture fixture) : IAsyncLifetime
{
    private LocalHostInstance? _host;

    public HostFixture Root => fixture;

    public LocalHostInstance Host => _host ?? throw new InvalidOperationException("Not started.");

    /// <summary>Tables and blobs of their own, so flag tests on the shared host (kill switch) cannot switch these off.</summary>
    public string TablePrefix { get; } = "onb" + Guid.NewGuid().ToString("N")[..8];

    public Dictionary<string, string?> Overrides(string? tableName = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage__TablePrefix"] = TablePrefix,
            ["Flags__SeedEnabled__0"] = "Onboarding",
            ["RateLimits__step-writes__Limit"] = "100000",
            ["RateLimits__snooze__Limit"] = "100000",
        };
        if (tableName is not null)
        {
            settings["Onboarding__TableName"] = tableName;
        }

        return settings;
    }

    public async ValueTask InitializeAsync()
    {
        _host = await fixture.StartSecondHostAsync(Overrides());
        await _host.WaitUntilOnboardingEnabledAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public OnboardingApi Api(string userId, string market = "FR", params string[] roles) => new(ClientFor(Host, userId, market, roles));

    public static HttpClient ClientFor(LocalHostInstance host, string userId, string market, params string[] roles) => host.CreateClient(userId, market, roles);
}

[CollectionDefinition(Name)]
public sealed class OnboardingTestGroup : ICollectionFixture<OnboardingHostFixture>
{
    public const string Name = "Onboarding";
}

/// <summary>
/// The load-heavy onboarding tests (10,000-user migration): they saturate the shared Azurite, so they run
/// on their own after the parallel tests rather than beside them, where they would stretch other tests'
/// storage calls past their deadlines.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OnboardingLoadTestGroup : ICollectionFixture<OnboardingHostFixture>
{
    public const string Name = "OnboardingLoad";
}
