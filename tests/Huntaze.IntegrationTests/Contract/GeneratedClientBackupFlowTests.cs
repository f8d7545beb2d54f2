using Huntaze.ContractClient.Models;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.IntegrationTests.Backups;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Kiota.Abstractions.Serialization;

namespace Huntaze.IntegrationTests.Contract;

/// <summary>
/// Backup → point-in-time restore driven through the client Kiota generated from docs/api/openapi.json (issue 15:
/// "restore flow through the generated client"): the run, its status, the list, the restore, its status and its
/// problems as the document describes them. A host of its own (tables and task hub: restores write side tables).
/// </summary>
public sealed class GeneratedClientBackupFlowTests(HostFixture fixture) : IDisposable
{
    private const string FirstStep = "creator_assessment";
    private readonly ContractClients _clients = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BackupThenPointInTimeRestore_ThroughGeneratedClient_SideTablesHoldTheStateAtThatTime()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await backups.Host.WaitUntilOnboardingEnabledAsync();
        var admin = _clients.For(backups.Host, HostFixture.NewUserId("ops"), "US", "admin");
        var userId = HostFixture.NewUserId("kiota");
        var step = _clients.For(backups.Host, userId).Onboarding.Steps[FirstStep];
        var written = await step.PatchAsync(Patch(StepStatus.In_progress, "before the backup"), c => c.Headers.Add("If-Match", (string)"\"step-0\""), Ct);

        var run = await admin.Admin.Backups.Run.PostAsync(cancellationToken: Ct);
        Assert.StartsWith("/api/admin/backups/runs/", run!.StatusUrl, StringComparison.Ordinal);
        BackupRunStatusView? runStatus = null;
        await Eventually.HoldsAsync(
            async () => (runStatus = await admin.Admin.Backups.Runs[run.Id!].GetAsync(cancellationToken: Ct))!.State is "completed" or "failed",
            TimeSpan.FromMinutes(3), "the backup run did not finish", TimeSpan.FromMilliseconds(200));
        Assert.Equal("completed", runStatus!.State);
        Assert.True(runStatus.Result!.Verified);
        var listed = Assert.Single((await admin.Admin.Backups.GetAsync(cancellationToken: Ct))!.Backups!, b => b.Date == run.Date);
        Assert.Equal("verified", listed.Verification);
        Assert.Contains(listed.Files!, f => f.Table == HuntazeDataMap.OnboardingProgress && f.Rows > 0);

        var second = await step.PatchAsync(Patch(null, "after the backup"), c => c.Headers.Add("If-Match", written!.Etag!), Ct);
        var pointInTime = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(50), Ct);
        await step.PatchAsync(Patch(null, "after the point in time"), c => c.Headers.Add("If-Match", second!.Etag!), Ct);

        var accepted = await admin.Admin.Backups.Restore.PostAsync(
            new RestoreRequest { PointInTime = pointInTime, Target = "side", Tables = [HuntazeDataMap.OnboardingProgress] }, cancellationToken: Ct);
        Assert.Equal(run.Date, accepted!.Backup);
        Assert.False(string.IsNullOrEmpty(accepted.SidePrefix));
        RestoreStatusView? restore = null;
        await Eventually.HoldsAsync(
            async () => (restore = await admin.Admin.Backups.Restores[accepted.Id!].GetAsync(cancellationToken: Ct))!.State is "completed" or "failed",
            TimeSpan.FromMinutes(3), "the restore did not finish", TimeSpan.FromMilliseconds(200));
        Assert.Equal("completed", restore!.Result!.Outcome);
        Assert.True(restore.Result.JournalChanges >= 1, "the write between the backup and the point in time comes from the journal");

        var side = await backups.RowsAsync(HuntazeDataMap.OnboardingProgress, accepted.SidePrefix);
        var restored = side[(userId, Huntaze.Functions.Onboarding.Progress.ProgressEntities.GuideKey(userId))].GetString(Huntaze.Functions.Onboarding.Progress.ProgressEntities.StepProperty(FirstStep));
        Assert.Contains("after the backup", restored, StringComparison.Ordinal);
        Assert.DoesNotContain("after the point in time", restored, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<Problem>(() => admin.Admin.Backups.Restore.PostAsync(new RestoreRequest { Backup = "2001-01-01", Target = "side" }, cancellationToken: Ct));
        Assert.Equal(404, unknown.ResponseStatusCode);
        var both = await Assert.ThrowsAsync<Problem>(() => admin.Admin.Backups.Restore.PostAsync(new RestoreRequest { Backup = run.Date, PointInTime = pointInTime, Target = "side" }, cancellationToken: Ct));
        Assert.Equal(400, both.ResponseStatusCode);
        Assert.Equal("https://huntaze.com/problems/validation", both.Type);
    }

    public void Dispose() => _clients.Dispose();

    private static StepPatchRequest Patch(StepStatus? status, string note) => new()
    {
        Status = status,
        Data = new UntypedObject(new Dictionary<string, UntypedNode> { ["note"] = new UntypedString(note) }),
    };
}
