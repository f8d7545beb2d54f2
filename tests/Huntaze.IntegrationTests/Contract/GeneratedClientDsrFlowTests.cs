using System.Text;
using Huntaze.ContractClient;
using Huntaze.ContractClient.Models;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Privacy;
using Microsoft.Kiota.Abstractions.Serialization;

namespace Huntaze.IntegrationTests.Contract;

/// <summary>
/// Issue 15, item 2: data-subject requests driven through the client Kiota generated from docs/api/openapi.json
/// (export and erasure, opened by the user and by a DPO, their status polled, the archive downloaded). If the
/// document misdescribes a privacy route, body, status or the archive's media type, these fail.
/// </summary>
public sealed class GeneratedClientDsrFlowTests(HostFixture fixture) : IDisposable
{
    private const string Step = "creator_assessment";
    private static readonly TimeSpan Closes = TimeSpan.FromSeconds(90);
    private readonly ContractClients _clients = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AccessRequest_ByUserThroughGeneratedClient_PolledToCompletedAndArchiveHoldsTheirData()
    {
        var userId = HostFixture.NewUserId("kdsr");
        var user = _clients.For(fixture.Host, userId, "FR");
        var note = "contract export " + userId;
        await WriteStepAsync(user, note);

        var opened = await user.Privacy.Requests.PostAsync(new OpenRequestBody { Type = "access" }, cancellationToken: Ct);
        Assert.Equal("access", opened!.Type);
        Assert.False(string.IsNullOrEmpty(opened.Id));
        // The user polls their own request, as the status URL invites.
        var done = await PollAsync(() => user.Privacy.Requests[opened.Id].GetAsync(cancellationToken: Ct));
        using var archive = await user.Privacy.Requests[opened.Id].Export.GetAsync(cancellationToken: Ct);

        Assert.Equal("completed", done.Status);
        Assert.True(done.Export!.Available);
        var files = Zip.Entries(await ReadAllAsync(archive!));
        Assert.Contains(note, Encoding.UTF8.GetString(files["OnboardingProgress.json"]), StringComparison.Ordinal);
        Assert.Contains((await user.Privacy.Requests.GetAsync(cancellationToken: Ct))!.Items!, r => r.Id == opened.Id);
    }

    [Fact]
    public async Task DpoExportThenErasure_ThroughGeneratedClient_ExportHoldsTheDataAndErasureLeavesNothing()
    {
        var userId = HostFixture.NewUserId("kera");
        var user = _clients.For(fixture.Host, userId, "FR");
        var dpo = _clients.For(fixture.Host, HostFixture.NewUserId("dpo"), "FR", "dpo");
        var note = "contract erasure " + userId;
        await WriteStepAsync(user, note);

        var export = await dpo.Admin.Dsr.Export.PostAsync(new DpoExportBody { UserId = userId, Reason = "Subject asked by post (contract test)" }, cancellationToken: Ct);
        var exported = await PollAsync(() => dpo.Admin.Dsr[export!.Id].GetAsync(cancellationToken: Ct));
        using var archive = await dpo.Admin.Dsr[export!.Id].Export.GetAsync(cancellationToken: Ct);
        var files = Zip.Entries(await ReadAllAsync(archive!));

        var erasure = await dpo.Admin.Dsr.DeletePath.PostAsync(new DpoDeleteBody { UserId = userId, Confirm = true, Reason = "Subject asked by post (contract test)" }, cancellationToken: Ct);
        // The DPO polls: the user's own reads would write rate-limit rows after the erasure.
        var erased = await PollAsync(() => dpo.Admin.Dsr[erasure!.Id].GetAsync(cancellationToken: Ct));
        var after = await user.Onboarding.Steps[Step].GetAsync(cancellationToken: Ct);

        Assert.Equal("completed", exported.Status);
        Assert.Contains("processing.json", files.Keys);
        Assert.Contains(note, Encoding.UTF8.GetString(files["OnboardingProgress.json"]), StringComparison.Ordinal);
        Assert.Equal("erasure", erasure!.Type);
        Assert.Equal("completed", erased.Status);
        Assert.Null(erased.UserId);
        Assert.Equal(StepStatus.Not_started, after!.Status);
        Assert.Null(after.Data);
    }

    public void Dispose() => _clients.Dispose();

    private async Task WriteStepAsync(HuntazeApiClient user, string note)
    {
        await fixture.Host.WaitUntilOnboardingEnabledAsync();
        var read = await user.Onboarding.Steps[Step].GetAsync(cancellationToken: Ct);
        var patch = new StepPatchRequest
        {
            Status = StepStatus.In_progress,
            Data = new UntypedObject(new Dictionary<string, UntypedNode> { ["note"] = new UntypedString(note) }),
        };
        await user.Onboarding.Steps[Step].PatchAsync(patch, c => c.Headers.Add("If-Match", read!.Etag!), Ct);
    }

    /// <summary>Polls a request's status until it is closed (not open, running or awaiting a DPO).</summary>
    private static async Task<RequestView> PollAsync(Func<Task<RequestView?>> read)
    {
        RequestView? last = null;
        await Eventually.HoldsAsync(async () =>
        {
            last = await read();
            return last?.Status is not (null or "open" or "running" or "awaiting_dpo");
        }, Closes, "the request closes", TimeSpan.FromMilliseconds(250));
        return last!;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
