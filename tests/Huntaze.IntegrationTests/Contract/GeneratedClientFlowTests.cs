using Huntaze.ContractClient.Models;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Microsoft.Kiota.Abstractions.Serialization;

namespace Huntaze.IntegrationTests.Contract;

/// <summary>
/// The main flows driven through the client Kiota generated from docs/api/openapi.json: if the document
/// misdescribes a route, a body, a header or a problem, these fail. A host of its own (the kill switch is global).
/// </summary>
public sealed class GeneratedClientFlowTests(OnboardingHostFixture fixture) : IClassFixture<OnboardingHostFixture>, IDisposable
{
    private const string FirstStep = "creator_assessment";
    private readonly ContractClients _clients = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GuideRead_ThroughGeneratedClient_ReturnsTheGuide()
    {
        var client = _clients.For(fixture.Host, HostFixture.NewUserId());

        var guide = await client.Onboarding.GetAsync(cancellationToken: Ct);

        // 200 is anyOf(GuideView, GuideDisabledView): Kiota reads the body into both, and a member they share
        // (`enabled`) into the first one only.
        Assert.True(guide!.GuideView?.Enabled ?? guide.GuideDisabledView?.Enabled);
        Assert.NotEmpty(guide.GuideView!.Steps!);
        Assert.All(guide.GuideView.Steps!, s => Assert.False(string.IsNullOrEmpty(s.Etag)));
        Assert.Equal(StepStatus.Not_started, guide.GuideView.Steps!.Single(s => s.Id == FirstStep).Status);
    }

    [Fact]
    public async Task StepWrite_StaleIfMatch_Gets412WithCurrentETagAndRecovers()
    {
        var client = _clients.For(fixture.Host, HostFixture.NewUserId());
        var step = client.Onboarding.Steps[FirstStep];
        var read = await step.GetAsync(cancellationToken: Ct);

        var first = await step.PatchAsync(Patch(StepStatus.In_progress, "first"), c => c.Headers.Add("If-Match", read!.Etag!), Ct);
        var stale = await Assert.ThrowsAsync<Problem>(() => step.PatchAsync(Patch(null, "second"), c => c.Headers.Add("If-Match", read!.Etag!), Ct));
        var current = Assert.IsType<string>(stale.AdditionalData["etag"]);
        var recovered = await step.PatchAsync(Patch(null, "second"), c => c.Headers.Add("If-Match", current), Ct);

        Assert.Equal(StepStatus.In_progress, first!.Status);
        Assert.Equal(412, stale.ResponseStatusCode);
        Assert.Equal("https://huntaze.com/problems/precondition-failed", stale.Type);
        Assert.Equal(first.Etag, current);
        Assert.NotEqual(current, recovered!.Etag);
        Assert.Equal(first.Version + 1, recovered.Version);
        var data = Assert.IsType<UntypedObject>(recovered.Data);
        Assert.Equal("second", ((UntypedString)data.GetValue()["note"]).GetValue());
    }

    [Fact]
    public async Task Snooze_ThroughGeneratedClient_SnoozesTheGuide()
    {
        var client = _clients.For(fixture.Host, HostFixture.NewUserId());

        var state = await client.Onboarding.Snooze.PostAsync(new SnoozeRequest { Days = 1 }, cancellationToken: Ct);

        Assert.True(state!.Snoozed);
        Assert.True(state.SnoozedUntil > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task GateCheck_MissingSteps_IsA409ProblemNamingThem()
    {
        var client = _clients.For(fixture.Host, HostFixture.NewUserId(), "FR");

        var blocked = await Assert.ThrowsAsync<Problem>(() => client.Onboarding.Gates["publish_offers"].GetAsync(cancellationToken: Ct));

        Assert.Equal(409, blocked.ResponseStatusCode);
        Assert.Equal("https://huntaze.com/problems/onboarding-gate-blocked", blocked.Type);
        Assert.Equal("publish_offers", blocked.AdditionalData["gate"]);
        Assert.False(string.IsNullOrEmpty(blocked.CorrelationId));
    }

    [Fact]
    public async Task KillSwitch_FlippedByAdminThroughGeneratedClient_RefusesWritesWith503()
    {
        var admin = _clients.For(fixture.Host, HostFixture.NewUserId("admin"), "US", "admin");
        var user = _clients.For(fixture.Host, HostFixture.NewUserId());
        var step = await user.Onboarding.Steps[FirstStep].GetAsync(cancellationToken: Ct);
        try
        {
            var set = await admin.Admin.KillSwitch.PostAsync(new KillSwitchRequest { Active = true, Reason = "contract-test" }, cancellationToken: Ct);
            Assert.True(set!.Active);
            Assert.Equal("contract-test", (await admin.Admin.KillSwitch.GetAsync(cancellationToken: Ct))!.Reason);

            Problem? refused = null;
            await Eventually.HoldsAsync(async () =>
            {
                refused = await Record.ExceptionAsync(() => user.Onboarding.Steps[FirstStep].PatchAsync(Patch(StepStatus.In_progress, "x"), c => c.Headers.Add("If-Match", step!.Etag!), Ct)) as Problem;
                return refused is { ResponseStatusCode: 503 };
            }, TimeSpan.FromSeconds(15), "writes are refused while the kill switch is on");

            Assert.Equal("https://huntaze.com/problems/onboarding-disabled", refused!.Type);
            Assert.Contains("Retry-After", refused.ResponseHeaders.Keys, StringComparer.OrdinalIgnoreCase);
        }
        finally
        {
            await admin.Admin.KillSwitch.PostAsync(new KillSwitchRequest { Active = false, Reason = "contract-test done" }, cancellationToken: Ct);
        }

        await fixture.Host.WaitUntilOnboardingEnabledAsync();
    }

    public void Dispose() => _clients.Dispose();

    private static StepPatchRequest Patch(StepStatus? status, string note) => new()
    {
        Status = status,
        Data = new UntypedObject(new Dictionary<string, UntypedNode> { ["note"] = new UntypedString(note) }),
    };
}
