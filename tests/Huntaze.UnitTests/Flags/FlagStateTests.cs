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
    public void Parse_GarbageBlob_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => FlagSnapshot.Parse("{\"version\":1}"u8));
    }

    private FlagSnapshot Snapshot(params FeatureFlag[] flags) =>
        FlagSnapshot.Create(flags.Select(f => new StoredFlag(f, "e", new Dictionary<string, string>())), "test", _time.GetUtcNow());
}
