using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.UnitTests.Flags;

public sealed class FlagStateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void KillSwitch_NothingLoaded_ReportsActiveFailSafe()
    {
        var state = new FlagState(_time);

        var current = new KillSwitch(state).Current;

        Assert.True(current.Active);
        Assert.Null(current.ObservedAt);
    }

    [Fact]
    public void KillSwitch_FlippedOn_ObservedAtIsWhenThisInstanceAppliedIt()
    {
        var state = new FlagState(_time);
        state.Apply(Snapshot(new FeatureFlag(FeatureNames.KillSwitch, false)));
        _time.Advance(TimeSpan.FromSeconds(10));

        state.Apply(Snapshot(new FeatureFlag(FeatureNames.KillSwitch, true, "incident 42")));

        Assert.Equal(new KillSwitchState(true, "incident 42", _time.GetUtcNow()), new KillSwitch(state).Current);
    }

    [Fact]
    public void Apply_OtherFlagChanges_KeepsKillSwitchObservedAt()
    {
        var state = new FlagState(_time);
        state.Apply(Snapshot(new FeatureFlag(FeatureNames.KillSwitch, true, "r")));
        var observed = state.KillSwitchObservedAt;
        _time.Advance(TimeSpan.FromSeconds(10));

        state.Apply(Snapshot(new FeatureFlag(FeatureNames.KillSwitch, true, "r"), new FeatureFlag(FeatureNames.Onboarding, true)));

        Assert.Equal(observed, state.KillSwitchObservedAt);
    }

    [Fact]
    public void AgeSeconds_AfterConfirmation_CountsFromLastConfirmation()
    {
        var state = new FlagState(_time);
        state.Apply(Snapshot());
        _time.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal(7, state.AgeSeconds);
    }

    [Fact]
    public void Snapshot_SerializedAndParsed_KeepsHashAndFlags()
    {
        var snapshot = Snapshot(new FeatureFlag(FeatureNames.Onboarding, true, "d", Audience.Nobody with { Users = ["a"] }));

        var parsed = FlagSnapshot.Parse(snapshot.ToUtf8());

        Assert.Equal(snapshot.Hash, parsed.Hash);
        Assert.True(parsed.TryGet(FeatureNames.Onboarding, out var flag));
        Assert.Equal(["a"], flag.Targeting!.Users);
    }

    [Fact]
    public void Apply_OlderGenerationAfterANewerOne_KeepsTheNewer()
    {
        var state = new FlagState(_time);
        var older = Snapshot(new FeatureFlag(FeatureNames.KillSwitch, false)) with { Generation = 7 };
        var newer = Snapshot(new FeatureFlag(FeatureNames.KillSwitch, true, "INC-7")) with { Generation = 8 };

        state.Apply(newer);
        var applied = state.Apply(older);

        Assert.False(applied);
        Assert.True(new KillSwitch(state).Current.Active);
    }

    [Fact]
    public void Create_TwoKeysCarryingOneId_SetsBothAsideAndPublishesTheRest()
    {
        var snapshot = FlagSnapshot.Create(
            [
                Document("Onboarding", "{\"id\":\"Onboarding\",\"enabled\":true}"),
                Document("myapp/Onboarding", "{\"id\":\"Onboarding\",\"enabled\":false}"),
                Document("Other", "{\"id\":\"Other\",\"enabled\":true}"),
            ],
            null,
            "test",
            _time.GetUtcNow());

        Assert.Equal(["Other"], snapshot.Flags.Keys);
        Assert.Equal(["Onboarding", "myapp/Onboarding"], snapshot.Unreadable.Select(u => u.Key));
        Assert.All(snapshot.Unreadable, u => Assert.Contains("carried by several keys (Onboarding, myapp/Onboarding)", u.Errors[^1], StringComparison.Ordinal));
    }

    [Fact]
    public void Create_TwoKeysCarryingTheKillSwitchId_KillSwitchCountsAsActive()
    {
        var snapshot = FlagSnapshot.Create(
            [
                Document("Onboarding.KillSwitch", "{\"id\":\"Onboarding.KillSwitch\",\"enabled\":false}"),
                Document("old/Onboarding.KillSwitch", "{\"id\":\"Onboarding.KillSwitch\",\"enabled\":false}"),
            ],
            null,
            "test",
            _time.GetUtcNow());
        var state = new FlagState(_time);

        state.Apply(snapshot);

        Assert.True(new KillSwitch(state).Current.Active);
    }

    [Fact]
    public void Snapshot_WithUnreadableAndLastGood_SerializedAndParsed_KeepsThem()
    {
        var previous = Snapshot(new FeatureFlag(FeatureNames.Onboarding, true, "good"));
        var snapshot = FlagSnapshot.Create([Document("Onboarding", "not json")], previous, "test", _time.GetUtcNow()) with { Generation = 42 };

        var parsed = FlagSnapshot.Parse(snapshot.ToUtf8());

        Assert.Equal((snapshot.Hash, 42L), (parsed.Hash, parsed.Generation));
        Assert.Equal("not json", Assert.Single(parsed.Unreadable).Text);
        Assert.True(parsed.TryGet(FeatureNames.Onboarding, out var served));
        Assert.Equal("good", served.Description);
    }

    [Fact]
    public void Parse_GarbageBlob_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => FlagSnapshot.Parse("{\"version\":1}"u8));
    }

    private static StoredDocument Document(string name, string text) => StoredDocument.Read(name, "e-" + name, new Dictionary<string, string>(), text);

    private FlagSnapshot Snapshot(params FeatureFlag[] flags) =>
        FlagSnapshot.Create(flags.Select(f => new StoredFlag(f, "e", new Dictionary<string, string>())), "test", _time.GetUtcNow());
}
