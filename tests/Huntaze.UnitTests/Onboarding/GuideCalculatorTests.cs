using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Progress;
using static Huntaze.UnitTests.Onboarding.CatalogJson;

namespace Huntaze.UnitTests.Onboarding;

public sealed class GuideCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly StepCatalog Catalog = StepCatalogLoader.Parse(CatalogJson.Catalog(
    [
        Step("assessment", 10, 30),
        Step("goals", 20, 20, true, "assessment"),
        Step("impressum", 30, 10).Markets(["DE"], []),
        Step("autopilot", 40, 20, false, "goals").With("featureFlag", "Onboarding.Autopilot"),
        Step("team", 50, 20, false).With("roles", new System.Text.Json.Nodes.JsonArray("admin")),
        Step("not_in_us", 60, 10, false).Markets([], ["US"]),
    ]));

    private static StepAudience Audience(string? market, string[]? roles = null, string[]? flags = null) =>
        new(market, new HashSet<string>(roles ?? ["user"]), new HashSet<string>(flags ?? []));

    private static ProgressSnapshot Progress(params (string Id, StepStatus Status)[] steps) => new(
        "u1",
        new Stored<OnboardingState>(OnboardingState.Empty, null),
        steps.ToDictionary(s => s.Id, s => new Stored<StepProgress>(StepProgress.Empty(s.Id) with { Status = s.Status, Revision = 1 }, null)));

    [Fact]
    public void Offered_GermanMarket_IncludesImpressum()
    {
        var offered = Catalog.Offered(Audience("DE"));

        Assert.Contains(offered, s => s.Id == "impressum");
    }

    [Fact]
    public void Offered_UsMarket_ExcludesImpressumAndExcludedStep()
    {
        var offered = Catalog.Offered(Audience("US")).Select(s => s.Id);

        Assert.Equal(["assessment", "goals"], offered);
    }

    [Fact]
    public void Offered_FlagEnabled_IncludesFlaggedStep()
    {
        var offered = Catalog.Offered(Audience("US", flags: ["Onboarding.Autopilot"]));

        Assert.Contains(offered, s => s.Id == "autopilot");
    }

    [Fact]
    public void Offered_CallerHasStepRole_IncludesRoleStep()
    {
        var offered = Catalog.Offered(Audience("US", roles: ["user", "admin"]));

        Assert.Contains(offered, s => s.Id == "team");
    }

    [Fact]
    public void Offered_NoMarket_ExcludesMarketSpecificSteps()
    {
        var offered = Catalog.Offered(Audience(null)).Select(s => s.Id);

        Assert.DoesNotContain("impressum", offered);
        Assert.Contains("not_in_us", offered);
    }

    [Fact]
    public void Build_SomeCompleted_WeightsProgress()
    {
        var offered = Catalog.Offered(Audience("DE"));

        var view = GuideCalculator.Build(offered, Progress(("assessment", StepStatus.Completed)), Now);

        // assessment 30 + goals 20 + impressum 10 + not_in_us 10 = 70; 30 done.
        Assert.Equal(new ProgressSummary(42, 30, 70, 1, 4, 1, 3, 0), view.Progress);
    }

    [Fact]
    public void Build_OptionalStepSkipped_LeavesItOutOfTotal()
    {
        var offered = Catalog.Offered(Audience("DE"));

        var view = GuideCalculator.Build(offered, Progress(("assessment", StepStatus.Completed), ("not_in_us", StepStatus.Skipped)), Now);

        Assert.Equal(60, view.Progress.TotalWeight);
        Assert.Equal(50, view.Progress.Percent);
        Assert.Equal(1, view.Progress.Skipped);
    }

    [Fact]
    public void Build_PrerequisiteOpen_ReportsBlockedBy()
    {
        var view = GuideCalculator.Build(Catalog.Offered(Audience("US")), Progress(), Now);

        Assert.Equal(["assessment"], view.Steps.Single(s => s.Id == "goals").BlockedBy);
    }

    private static readonly StepCatalog Prerequisites = StepCatalogLoader.Parse(CatalogJson.Catalog(
    [
        Step("optional_first", 10, 10, false),
        Step("required_first", 20, 10, true),
        Step("de_only", 30, 10).Markets(["DE"], []),
        Step("final", 40, 10, true, "optional_first", "required_first", "de_only"),
    ]));

    [Theory]
    [InlineData(StepStatus.NotStarted, StepStatus.NotStarted, new[] { "optional_first", "required_first" })]
    [InlineData(StepStatus.Skipped, StepStatus.Completed, new string[0])]
    [InlineData(StepStatus.Skipped, StepStatus.Skipped, new[] { "required_first" })]
    [InlineData(StepStatus.Completed, StepStatus.InProgress, new[] { "required_first" })]
    public void BlockedBy_PrerequisiteStatuses_ListsUnsatisfiedInDeclaredOrder(StepStatus optional, StepStatus required, string[] expected)
    {
        // US: de_only is not offered, so it never blocks (a prerequisite the user is not shown cannot be done).
        var offered = Prerequisites.Offered(Audience("US"));
        var final = offered.Single(s => s.Id == "final");

        var blockedBy = GuideCalculator.BlockedBy(final, offered, Progress(("optional_first", optional), ("required_first", required)));

        Assert.Equal(expected, blockedBy);
    }

    [Fact]
    public void BlockedBy_OfferedPrerequisiteOpen_Blocks()
    {
        var offered = Prerequisites.Offered(Audience("DE"));
        var final = offered.Single(s => s.Id == "final");

        var blockedBy = GuideCalculator.BlockedBy(final, offered, Progress(("optional_first", StepStatus.Completed), ("required_first", StepStatus.Completed)));

        Assert.Equal(["de_only"], blockedBy);
    }

    [Fact]
    public void Build_NothingDone_NextIsFirstUnblockedStep()
    {
        var view = GuideCalculator.Build(Catalog.Offered(Audience("US")), Progress(), Now);

        Assert.Equal("assessment", view.NextStepId);
    }

    [Fact]
    public void Build_FirstStepCompleted_NextIsSecond()
    {
        var view = GuideCalculator.Build(Catalog.Offered(Audience("US")), Progress(("assessment", StepStatus.Completed)), Now);

        Assert.Equal("goals", view.NextStepId);
    }

    [Fact]
    public void Build_AllDone_NextIsNullAndPercentIs100()
    {
        var view = GuideCalculator.Build(Catalog.Offered(Audience("US")), Progress(("assessment", StepStatus.Completed), ("goals", StepStatus.Completed)), Now);

        Assert.Null(view.NextStepId);
        Assert.Equal(100, view.Progress.Percent);
    }

    [Fact]
    public void Build_SnoozeInFuture_ReportsSnoozed()
    {
        var snapshot = Progress() with { State = new Stored<OnboardingState>(OnboardingState.Empty with { SnoozedUntil = Now.AddDays(1) }, null) };

        var view = GuideCalculator.Build(Catalog.Offered(Audience("US")), snapshot, Now);

        Assert.True(view.State.Snoozed);
    }

    [Fact]
    public void Build_SnoozeExpired_ReportsNotSnoozed()
    {
        var snapshot = Progress() with { State = new Stored<OnboardingState>(OnboardingState.Empty with { SnoozedUntil = Now.AddSeconds(-1) }, null) };

        var view = GuideCalculator.Build(Catalog.Offered(Audience("US")), snapshot, Now);

        Assert.False(view.State.Snoozed);
    }
}
