using System.Globalization;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Evaluation;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.FeatureManagement;

namespace Huntaze.UnitTests.Flags;

public sealed class FlagEvaluationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 5, 20, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services;
    private readonly FlagState _state;
    private readonly IFeatureGate _gate;

    public FlagEvaluationTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<FlagState>();
        services.AddSingleton<IKillSwitch, KillSwitch>();
        services.AddFeatureManagement().AddFeatureFilter<PreboundTargetingFilter>().AddFeatureFilter<ClockedTimeWindowFilter>().AddFeatureFilter<UnsupportedFilter>();
        services.AddSingleton<IFeatureDefinitionProvider, SnapshotFeatureDefinitionProvider>();
        services.AddSingleton<IFeatureGate, FeatureGate>();
        _services = services.BuildServiceProvider();
        _state = _services.GetRequiredService<FlagState>();
        _gate = _services.GetRequiredService<IFeatureGate>();
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task IsEnabledAsync_ListedUser_IsOnForThatUserOnly()
    {
        Load(Targeted(Audience.Nobody with { Users = ["alice"] }));

        Assert.True(await IsOn(User("alice")));
        Assert.False(await IsOn(User("bob")));
    }

    [Fact]
    public async Task IsEnabledAsync_MarketGroup_IsOnForThatMarketOnly()
    {
        Load(Targeted(Audience.Nobody with { Groups = [new GroupRollout("market:FR", 100)] }));

        Assert.True(await IsOn(User("u1", market: "fr")));
        Assert.False(await IsOn(User("u1", market: "DE")));
    }

    [Fact]
    public async Task IsEnabledAsync_RoleGroup_IsOnForThatRoleOnly()
    {
        Load(Targeted(Audience.Nobody with { Groups = [new GroupRollout("role:admin", 100)] }));

        Assert.True(await IsOn(User("u1", Roles.Admin)));
        Assert.False(await IsOn(User("u1", Roles.User)));
    }

    [Fact]
    public async Task IsEnabledAsync_ExcludedUserInIncludedGroup_IsOff()
    {
        Load(Targeted(new Audience(["alice"], [new GroupRollout("market:FR", 100)], 100, ["alice"], [])));

        Assert.False(await IsOn(User("alice", market: "FR")));
    }

    [Fact]
    public async Task IsEnabledAsync_ExcludedGroup_IsOffEvenAtHundredPercent()
    {
        Load(Targeted(Audience.Nobody with { DefaultRolloutPercentage = 100, ExcludedGroups = ["market:DE"] }));

        Assert.False(await IsOn(User("u1", market: "DE")));
        Assert.True(await IsOn(User("u1", market: "FR")));
    }

    [Fact]
    public async Task IsEnabledAsync_DisabledFlag_IsOffForListedUser()
    {
        Load(Targeted(Audience.Nobody with { Users = ["alice"] }) with { Enabled = false });

        Assert.False(await IsOn(User("alice")));
    }

    [Fact]
    public async Task IsEnabledAsync_EnabledWithoutFilters_IsOnForEveryone()
    {
        Load(new FeatureFlag(FeatureNames.Onboarding, true));

        Assert.True(await IsOn(User("anyone")));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(25)]
    [InlineData(50)]
    public async Task IsEnabledAsync_DefaultPercentage_WithinTwoPointsOver10000Users(double percentage)
    {
        Load(Targeted(Audience.Nobody with { DefaultRolloutPercentage = percentage }));

        var on = (await EnabledUsers()).Count;

        Assert.InRange(on / 100.0, percentage - 2, percentage + 2);
    }

    [Fact]
    public async Task IsEnabledAsync_PercentageRaisedThroughStages_NeverDropsAUser()
    {
        HashSet<string> previous = [];
        foreach (var percentage in new double[] { 0, 5, 25, 50, 100 })
        {
            Load(Targeted(Audience.Nobody with { DefaultRolloutPercentage = percentage }));
            var current = await EnabledUsers();

            Assert.Subset(current, previous);
            previous = current;
        }

        Assert.Equal(10_000, previous.Count);
    }

    [Fact]
    public async Task IsEnabledAsync_KillSwitchActive_TurnsOnboardingOff()
    {
        Load(new FeatureFlag(FeatureNames.Onboarding, true), new FeatureFlag(FeatureNames.KillSwitch, true, "incident"));

        Assert.False(await IsOn(User("alice")));
    }

    [Fact]
    public async Task IsEnabledAsync_NothingLoaded_IsOffAndKillSwitchActive()
    {
        Assert.False(await IsOn(User("alice")));
        Assert.True(_services.GetRequiredService<IKillSwitch>().Current.Active);
    }

    [Fact]
    public async Task IsEnabledAsync_UnknownFlag_IsOff()
    {
        Load(new FeatureFlag(FeatureNames.Onboarding, true));

        Assert.False(await _gate.IsEnabledAsync("Nope", User("alice"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IsEnabledAsync_PortalTimeWindow_OnInsideTheWindowOnlyOnOurClock()
    {
        LoadDocuments(PortalFlagDocuments.TimeWindowWithDisplayName);

        Assert.True(await IsOn(User("alice")));
        _time.SetUtcNow(new DateTimeOffset(2030, 7, 1, 0, 0, 1, TimeSpan.Zero));
        Assert.False(await IsOn(User("alice")));
    }

    [Theory]
    [InlineData("2030-05-20T12:00:00Z", true)]
    [InlineData("2030-05-21T12:00:00Z", false)]
    [InlineData("2030-05-24T16:59:00Z", true)]
    [InlineData("2030-05-24T17:01:00Z", false)]
    public async Task IsEnabledAsync_RecurringTimeWindow_FollowsTheRecurrence(string at, bool expected)
    {
        LoadDocuments(PortalFlagDocuments.RecurringTimeWindow);
        _time.SetUtcNow(DateTimeOffset.Parse(at, CultureInfo.InvariantCulture));

        Assert.Equal(expected, await IsOn(User("alice")));
    }

    [Fact]
    public async Task IsEnabledAsync_RequirementAll_NeedsEveryFilter()
    {
        LoadDocuments("""
            {"id":"Onboarding","enabled":true,"conditions":{"requirement_type":"All","client_filters":[
              {"name":"Microsoft.Targeting","parameters":{"Audience":{"Users":["alice"]}}},
              {"name":"Microsoft.TimeWindow","parameters":{"End":"Mon, 01 Jul 2030 00:00:00 GMT"}}]}}
            """);

        Assert.True(await IsOn(User("alice")));
        Assert.False(await IsOn(User("bob")));
        _time.SetUtcNow(new DateTimeOffset(2030, 8, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.False(await IsOn(User("alice")));
    }

    [Fact]
    public async Task IsEnabledAsync_UnsupportedFilterUnderAny_NeverMatchesAndOthersDecide()
    {
        LoadDocuments(PortalFlagDocuments.CamelCaseTargetingAndCustomFilters);

        Assert.True(await IsOn(User("alice")));
        Assert.True(await IsOn(User("u2", market: "FR")));
        Assert.False(await IsOn(User("u3", market: "DE")));
    }

    [Fact]
    public async Task IsEnabledAsync_VariantFlagEnabled_IsOnWhateverTheVariants()
    {
        LoadDocuments(PortalFlagDocuments.VariantsWithTelemetry);

        Assert.True(await IsOn(User("alice")));
    }

    [Fact]
    public async Task KillSwitch_PortalDocumentWithTelemetry_IsActiveAndOnboardingOff()
    {
        LoadDocuments("{\"id\":\"Onboarding\",\"enabled\":true}", PortalFlagDocuments.KillSwitchWithTelemetry);

        Assert.Equal(new KillSwitchState(true, "INC-42 step writes failing", _time.GetUtcNow()), _services.GetRequiredService<IKillSwitch>().Current);
        Assert.False(await IsOn(User("alice")));
    }

    [Fact]
    public async Task KillSwitch_UnreadableDocument_CountsAsActive()
    {
        LoadDocuments("{\"id\":\"Onboarding\",\"enabled\":true}", "{\"id\":\"Onboarding.KillSwitch\",\"enabled\":\"maybe\"}");

        var current = _services.GetRequiredService<IKillSwitch>().Current;
        Assert.True(current.Active);
        Assert.Equal(FlagState.UnreadableKillSwitchReason, current.Reason);
        Assert.False(await IsOn(User("alice")));
    }

    [Fact]
    public async Task IsEnabledAsync_OnboardingBecomesUnreadable_KeepsServingItsLastReadableVersion()
    {
        var previous = LoadDocuments("{\"id\":\"Onboarding\",\"enabled\":true}");

        var next = FlagSnapshot.Create([StoredDocument.Read("Onboarding", "e2", new Dictionary<string, string>(), "{\"id\":\"Onboarding\",\"enabled\":tru")], previous, "test", _time.GetUtcNow())
            with { Generation = previous.Generation + 1 };
        _state.Apply(next);

        Assert.True(await IsOn(User("alice")));
        Assert.Equal("Onboarding", Assert.Single(next.Unreadable).Key);
    }

    [Fact]
    public async Task IsEnabledAsync_OnboardingUnreadableWithNoReadableVersionKnown_IsOff()
    {
        LoadDocuments("{\"id\":\"Onboarding\",\"enabled\":tru");

        Assert.False(await IsOn(User("alice")));
    }

    private async Task<HashSet<string>> EnabledUsers()
    {
        var on = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 10_000; i++)
        {
            var id = "user-" + i.ToString(CultureInfo.InvariantCulture);
            if (await IsOn(User(id)))
            {
                on.Add(id);
            }
        }

        return on;
    }

    private ValueTask<bool> IsOn(Caller caller) => _gate.IsEnabledAsync(FeatureNames.Onboarding, caller, TestContext.Current.CancellationToken);

    private void Load(params FeatureFlag[] flags) =>
        _state.Apply(FlagSnapshot.Create(flags.Select(f => new StoredFlag(f, "e", new Dictionary<string, string>())), "test", DateTimeOffset.UtcNow));

    private FlagSnapshot LoadDocuments(params string[] documents)
    {
        var snapshot = FlagSnapshot.Create(
            documents.Select((d, i) => StoredDocument.Read(FlagDocument.PeekId(d) ?? "doc" + i.ToString(CultureInfo.InvariantCulture), "e", new Dictionary<string, string>(), d)),
            _state.Snapshot,
            "test",
            _time.GetUtcNow()) with { Generation = (_state.Snapshot?.Generation ?? 0) + 1 };
        _state.Apply(snapshot);
        return snapshot;
    }

    private static FeatureFlag Targeted(Audience audience) => new(FeatureNames.Onboarding, true, null, audience);

    private static Caller User(string id, string role = Roles.User, string? market = null) =>
        new(id, new HashSet<string> { role }, market, CredentialKind.Bearer);
}
