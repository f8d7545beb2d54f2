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

    public static Dictionary<string, string?> Overrides(string? tableName = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RateLimits__step-writes__Limit"] = "100000",
            ["RateLimits__snooze__Limit"] = "100000",
        };
        if (tableName is not null)
        {
            settings["Onboarding__TableName"] = tableName;
        }

        return settings;
    }

    public async ValueTask InitializeAsync() => _host = await fixture.StartSecondHostAsync(Overrides());

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public OnboardingApi Api(string userId, string market = "FR", params string[] roles) => new(ClientFor(Host, userId, market, roles));

    public static HttpClient ClientFor(LocalHostInstance host, string userId, string market, params string[] roles)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", HostFixture.CreateToken(userId, market, roles.Length == 0 ? ["user"] : roles));
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class OnboardingTestGroup : ICollectionFixture<OnboardingHostFixture>
{
    public const string Name = "Onboarding";
}
