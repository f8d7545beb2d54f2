using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Migrations;
using Huntaze.Functions.Onboarding.Progress;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.UnitTests.Onboarding;

public sealed class MigrationServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly InMemoryProgressStore _store = new();
    private readonly MigrationService _service;

    public MigrationServiceTests() =>
        _service = new MigrationService(_store, new FakeTimeProvider(Now), Options.Create(new OnboardingOptions()));

    private static StepProgress Completed(int version) =>
        StepProgress.Empty("ai") with { Status = StepStatus.Completed, Revision = 3, StepVersion = version, Data = "{\"a\":1}", CompletedAt = Now };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task SeedAsync(string userId, StepProgress step) =>
        await _store.CommitAsync(ProgressSnapshot.Empty(userId), new ProgressCommit(new Stored<StepProgress>(step, null), new Stored<OnboardingState>(OnboardingState.Empty, null)), Ct);

    [Fact]
    public void Apply_Review_MarksCompletedNeedsReview()
    {
        var next = MigrationService.Apply(Completed(1), 2, MigrationPolicy.Review, Now);

        Assert.Equal((StepStatus.NeedsReview, 2, 4), (next.Status, next.StepVersion, next.Revision));
    }

    [Fact]
    public void Apply_Reset_ClearsStatusAndData()
    {
        var next = MigrationService.Apply(Completed(1), 2, MigrationPolicy.Reset, Now);

        Assert.Equal((StepStatus.NotStarted, (string?)null, (DateTimeOffset?)null), (next.Status, next.Data, next.CompletedAt));
    }

    [Fact]
    public void Apply_Keep_KeepsStatusAndData()
    {
        var next = MigrationService.Apply(Completed(1), 2, MigrationPolicy.Keep, Now);

        Assert.Equal((StepStatus.Completed, "{\"a\":1}", 2), (next.Status, next.Data, next.StepVersion));
    }

    [Fact]
    public async Task MigratePageAsync_DryRun_CountsWithoutWriting()
    {
        await SeedAsync("u1", Completed(1));
        await SeedAsync("u2", Completed(2));
        var commits = _store.Commits;

        var result = await _service.MigratePageAsync(new MigrationPageInput("ai", 2, "review", true, null, 100), Ct);

        Assert.Equal(new MigrationCounts(2, 1, 1, 0), result.Counts);
        Assert.Equal(commits, _store.Commits);
    }

    [Fact]
    public async Task MigratePageAsync_MoreHoldersThanMaxUsers_MigratesMaxUsersAndReturnsToken()
    {
        for (var i = 0; i < 25; i++)
        {
            await SeedAsync($"u{i:D2}", Completed(1));
        }

        var first = await _service.MigratePageAsync(new MigrationPageInput("ai", 2, "keep", false, null, 10), Ct);
        var rest = await _service.MigratePageAsync(new MigrationPageInput("ai", 2, "keep", false, first.ContinuationToken, 100), Ct);

        Assert.Equal(new MigrationCounts(10, 10, 0, 0), first.Counts);
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal((new MigrationCounts(15, 15, 0, 0), (string?)null), (rest.Counts, rest.ContinuationToken));
    }

    [Fact]
    public async Task MigratePageAsync_RunTwice_SecondRunChangesNothing()
    {
        await SeedAsync("u1", Completed(1));
        var first = await _service.MigratePageAsync(new MigrationPageInput("ai", 2, "review", false, null, 100), Ct);

        var second = await _service.MigratePageAsync(new MigrationPageInput("ai", 2, "review", false, null, 100), Ct);

        Assert.Equal(new MigrationCounts(1, 1, 0, 0), first.Counts);
        Assert.Equal(new MigrationCounts(1, 0, 1, 0), second.Counts);
    }

    [Fact]
    public async Task MigrateUserAsync_UserWritesMeanwhile_KeepsUserData()
    {
        await SeedAsync("u1", Completed(1));
        _store.BeforeCommit = () =>
        {
            var guide = _store.ReadAsync("u1", CancellationToken.None).GetAwaiter().GetResult();
            var step = guide.Steps["ai"];
            _store.CommitAsync(guide, new ProgressCommit(step with { Value = step.Value with { Data = "{\"user\":2}", Revision = 4 } }, null), CancellationToken.None).GetAwaiter().GetResult();
        };

        var outcome = await _service.MigrateUserAsync(await _store.ReadAsync("u1", Ct), "ai", 2, MigrationPolicy.Keep, false, Ct);

        var stored = (await _store.ReadAsync("u1", Ct)).Steps.GetValueOrDefault("ai");
        Assert.Equal(MigrationOutcome.Changed, outcome);
        Assert.Equal(("{\"user\":2}", 2, 5), (stored!.Value.Data, stored.Value.StepVersion, stored.Value.Revision));
    }

    [Fact]
    public async Task MigratePageAsync_MixedVersions_CountsAlreadyMigratedAsUnchanged()
    {
        await SeedAsync("u1", Completed(1));
        await SeedAsync("u2", Completed(2));
        await SeedAsync("u3", Completed(1));

        var result = await _service.MigratePageAsync(new MigrationPageInput("ai", 2, "keep", false, null, 100), Ct);

        Assert.Equal(new MigrationPageResult(new MigrationCounts(3, 2, 1, 0), null), result);
    }
}
