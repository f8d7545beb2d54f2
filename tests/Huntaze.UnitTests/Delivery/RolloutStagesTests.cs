using Huntaze.Cli.Rollout;
using Huntaze.Functions.Flags.Admin;

namespace Huntaze.UnitTests.Delivery;

public sealed class RolloutStagesTests
{
    [Fact]
    public void All_ComparedWithTheApi_NamesTheSameStagesInTheSameOrder() =>
        Assert.Equal(RolloutPlan.Stages, RolloutStages.All);

    [Theory]
    [InlineData(null, "internal")]
    [InlineData("internal", "5")]
    [InlineData("50", "100")]
    [InlineData("100", null)]
    public void After_EachStage_IsTheNextOne(string? current, string? next) =>
        Assert.Equal(next, RolloutStages.After(current));

    [Fact]
    public void After_UnknownStage_Throws() =>
        Assert.Throws<RolloutException>(() => RolloutStages.After("12"));
}
