using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Admin;
using Huntaze.Functions.Flags.Documents;

namespace Huntaze.UnitTests.Flags;

public sealed class RolloutPlanTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Check_NotStartedToInternal_IsAllowed()
    {
        Assert.Null(RolloutPlan.Check(null, "internal", Start));
    }

    [Theory]
    [InlineData("internal", "5", 24)]
    [InlineData("5", "25", 48)]
    [InlineData("25", "50", 72)]
    [InlineData("50", "100", 168)]
    public void Check_NextStageBeforeDwell_IsRefusedWithEarliestTime(string from, string to, int hours)
    {
        var refusal = RolloutPlan.Check((from, Start), to, Start.AddHours(hours).AddMinutes(-1));

        Assert.NotNull(refusal);
        Assert.Equal(Start.AddHours(hours), refusal.EarliestAt);
    }

    [Theory]
    [InlineData("internal", "5", 24)]
    [InlineData("50", "100", 168)]
    public void Check_NextStageAfterDwell_IsAllowed(string from, string to, int hours)
    {
        Assert.Null(RolloutPlan.Check((from, Start), to, Start.AddHours(hours)));
    }

    [Fact]
    public void Check_SkippingAStage_IsRefusedEvenAfterDwell()
    {
        Assert.NotNull(RolloutPlan.Check(("5", Start), "50", Start.AddDays(30)));
    }

    [Fact]
    public void Check_RollingBack_IsAllowedAtOnce()
    {
        Assert.Null(RolloutPlan.Check(("50", Start), "5", Start));
    }

    [Fact]
    public void Apply_Stage25_KeepsStaffAtHundredAndEveryoneElseAt25()
    {
        var flag = new FeatureFlag(FeatureNames.Onboarding, false);

        var staged = RolloutPlan.Apply(flag, "25", ["role:admin"]);

        Assert.True(staged.Enabled);
        Assert.Equal(25, staged.Targeting!.DefaultRolloutPercentage);
        Assert.Equal(new GroupRollout("role:admin", 100), Assert.Single(staged.Targeting.Groups));
    }

    [Fact]
    public void Apply_Internal_TargetsStaffOnly()
    {
        var staged = RolloutPlan.Apply(new FeatureFlag(FeatureNames.Onboarding, true), "internal", ["role:admin", "role:support"]);

        Assert.Equal(0, staged.Targeting!.DefaultRolloutPercentage);
        Assert.Equal(2, staged.Targeting.Groups.Count);
    }
}

public sealed class FlagPatchTests
{
    [Fact]
    public void Apply_MarketsWithPercentage_RestrictsRolloutToThoseMarkets()
    {
        var flag = new FeatureFlag(FeatureNames.Onboarding, false, null, Audience.Nobody with { DefaultRolloutPercentage = 10 });

        var patched = FlagPatch.Apply(flag, new FlagPatchRequest { Enabled = true, RolloutPercentage = 25, Markets = ["fr", "DE"] });

        Assert.True(patched.Enabled);
        Assert.Equal(0, patched.Targeting!.DefaultRolloutPercentage);
        Assert.Equal([new GroupRollout("market:FR", 25), new GroupRollout("market:DE", 25)], patched.Targeting.Groups);
    }

    [Fact]
    public void Apply_PercentageOnly_SetsDefaultAndKeepsGroups()
    {
        var flag = new FeatureFlag(FeatureNames.Onboarding, true, null, Audience.Nobody with { Groups = [new GroupRollout("role:admin", 100)] });

        var patched = FlagPatch.Apply(flag, new FlagPatchRequest { RolloutPercentage = 50 });

        Assert.Equal(50, patched.Targeting!.DefaultRolloutPercentage);
        Assert.Single(patched.Targeting.Groups);
    }

    [Fact]
    public void Apply_EnabledOnly_LeavesTargetingUntouched()
    {
        var flag = new FeatureFlag(FeatureNames.Onboarding, true);

        var patched = FlagPatch.Apply(flag, new FlagPatchRequest { Enabled = false });

        Assert.False(patched.Enabled);
        Assert.Null(patched.Targeting);
    }

    [Theory]
    [InlineData(101.0, null)]
    [InlineData(null, "FRA")]
    public void Validate_OutOfRangeOrBadMarket_NamesTheProblem(double? percentage, string? market)
    {
        var errors = FlagPatch.Validate(new FlagPatchRequest { RolloutPercentage = percentage, Markets = market is null ? null : [market] });

        Assert.Single(errors);
    }

    [Fact]
    public void Validate_NullMarketInList_IsAnErrorNotAnException()
    {
        var errors = FlagPatch.Validate(new FlagPatchRequest { Markets = [null!] });

        Assert.Single(errors);
    }
}
