using System.Net;
using Huntaze.IntegrationTests.Infrastructure;
using static Huntaze.IntegrationTests.Onboarding.OnboardingApi;

namespace Huntaze.IntegrationTests.Onboarding;

[Collection(OnboardingTestGroup.Name)]
public sealed class StepWriteTests(OnboardingHostFixture host)
{
    private static readonly string[] Goals = ["grow"];
    private static readonly string[] Fresh = ["fresh"];
    private static readonly string[] Stale = ["stale"];

    private OnboardingApi NewUser(string market = "US") => host.Api(HostFixture.NewUserId(), market);

    [Fact]
    public async Task Patch_NoIfMatchNoVersion_Returns428()
    {
        using var api = NewUser();

        using var response = await api.PatchAsync("creator_assessment", new { status = "in_progress" });

        await ProblemAsync(response, HttpStatusCode.PreconditionRequired, "precondition-required");
    }

    [Fact]
    public async Task Patch_MalformedIfMatch_Returns400AndChangesNothing()
    {
        using var api = NewUser();

        using var response = await api.PatchAsync("creator_assessment", new { status = "in_progress" }, "step-0, garbage");
        using var step = await api.GetStepAsync("creator_assessment");

        await ProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
        Assert.Contains("not_started", await step.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_StaleIfMatch_Returns412WithCurrentRepresentationAndETag()
    {
        using var api = NewUser();
        using (await api.PatchAsync("creator_assessment", new { status = "in_progress" }, "\"step-0\""))
        {
        }

        using var response = await api.PatchAsync("creator_assessment", new { status = "completed" }, "\"step-0\"");

        var problem = await ProblemAsync(response, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal("\"step-1\"", ETagOf(response));
        Assert.Equal("in_progress", problem.GetProperty("current").GetProperty("status").GetString());
        Assert.Equal("\"step-1\"", problem.GetProperty("etag").GetString());
    }

    [Fact]
    public async Task Patch_StaleBodyVersion_Returns409OptimisticLockConflict()
    {
        using var api = NewUser();
        using (await api.PatchAsync("creator_assessment", new { status = "in_progress", version = 0 }))
        {
        }

        using var response = await api.PatchAsync("creator_assessment", new { status = "completed", version = 0 });

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict, "optimistic-lock-conflict");
        Assert.Equal("OPTIMISTIC_LOCK_CONFLICT", problem.GetProperty("code").GetString());
        Assert.Equal((0, 1), (problem.GetProperty("attemptedVersion").GetInt32(), problem.GetProperty("currentVersion").GetInt32()));
        Assert.Equal("in_progress", problem.GetProperty("current").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Patch_CurrentBodyVersion_Returns200()
    {
        using var api = NewUser();

        using var response = await api.PatchAsync("creator_assessment", new { status = "completed", version = 0 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await JsonAsync(response)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Patch_CompleteBeforePrerequisites_Returns409NamingBlockers()
    {
        using var api = NewUser();

        using var response = await api.PatchAsync("connect_platforms", new { status = "completed" }, "\"step-0\"");

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict, "onboarding-step-blocked");
        Assert.Equal(["goal_selection"], problem.GetProperty("blockedBy").EnumerateArray().Select(b => b.GetString()));
    }

    [Fact]
    public async Task Patch_SkipRequiredStep_Returns409()
    {
        using var api = NewUser();

        using var response = await api.PatchAsync("creator_assessment", new { status = "skipped" }, "\"step-0\"");

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict, "onboarding-step-blocked");
        Assert.Equal("STEP_REQUIRED", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Patch_UnknownStatus_Returns400()
    {
        using var api = NewUser();

        using var response = await api.PatchAsync("creator_assessment", """{"status":"finished"}""", "\"step-0\"");

        await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
    }

    [Fact]
    public async Task Patch_UnknownStep_Returns404()
    {
        using var api = NewUser();

        using var response = await api.PatchAsync("no_such_step", new { status = "completed" }, "\"step-0\"");

        await ProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Patch_StepOfAnotherMarket_Returns404()
    {
        using var api = NewUser("FR");

        using var response = await api.PatchAsync("de_impressum", new { status = "completed" }, "\"step-0\"");

        await ProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Patch_SameChangeResentWithIdempotencyKey_Returns200WithoutBump()
    {
        using var api = NewUser();
        api.Client.DefaultRequestHeaders.Add("Idempotency-Key", "retry-1");
        using var first = await api.PatchAsync("creator_assessment", new { status = "in_progress", data = new { answer = 42 } }, "\"step-0\"");

        using var again = await api.PatchAsync("creator_assessment", new { status = "in_progress", data = new { answer = 42 } }, "\"step-0\"");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(ETagOf(first), ETagOf(again));
        Assert.Equal(1, (await JsonAsync(again)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Patch_SameChangeWithCurrentETag_Returns200WithoutBump()
    {
        using var api = NewUser();
        using var first = await api.PatchAsync("creator_assessment", new { status = "in_progress" }, "\"step-0\"");

        using var again = await api.PatchAsync("creator_assessment", new { status = "in_progress" }, ETagOf(first));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("\"step-1\"", ETagOf(again));
    }

    [Fact]
    public async Task Patch_WithData_StoresData()
    {
        using var api = NewUser();
        using (await api.PatchAsync("goal_selection", new { status = "in_progress", data = new { goals = Goals } }, "\"step-0\""))
        {
        }

        using var read = await api.GetStepAsync("goal_selection");

        Assert.Equal("grow", (await JsonAsync(read)).GetProperty("data").GetProperty("goals")[0].GetString());
    }

    [Fact]
    public async Task AdminReset_AsSupport_RemovesProgress()
    {
        var userId = HostFixture.NewUserId();
        using var api = host.Api(userId, "US");
        await api.CompleteAsync("creator_assessment");
        using var support = host.Api(HostFixture.NewUserId("support"), "US", "support");

        using var reset = await support.PostAsync($"/api/admin/onboarding/users/{userId}/reset");
        using var after = await support.Client.GetAsync($"/api/admin/onboarding/users/{userId}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(0, (await JsonAsync(after)).GetProperty("steps").GetArrayLength());
    }

    /// <summary>A tab holding a tag from before a reset must not overwrite what was written after it (old tags restarted at 0 and repeated).</summary>
    [Fact]
    public async Task Patch_TagFromBeforeAReset_Returns412AfterNewWrites()
    {
        var userId = HostFixture.NewUserId();
        using var api = host.Api(userId, "US");
        using (var first = await api.PatchAsync("goal_selection", new { status = "in_progress" }, "\"step-0\""))
        using (var second = await api.PatchAsync("goal_selection", new { data = new { goals = Goals } }, ETagOf(first)))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        using var oldTab = await api.GetStepAsync("goal_selection");
        using var support = host.Api(HostFixture.NewUserId("support"), "US", "support");
        using (var reset = await support.PostAsync($"/api/admin/onboarding/users/{userId}/reset"))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        using var fresh = await api.GetStepAsync("goal_selection");
        Assert.NotEqual(ETagOf(oldTab), ETagOf(fresh));
        using (var again = await api.PatchAsync("goal_selection", new { status = "in_progress" }, ETagOf(fresh)))
        using (var more = await api.PatchAsync("goal_selection", new { data = new { goals = Fresh } }, ETagOf(again)))
        {
            Assert.Equal(HttpStatusCode.OK, more.StatusCode);
        }

        using var stale = await api.PatchAsync("goal_selection", new { data = new { goals = Stale } }, ETagOf(oldTab));

        await ProblemAsync(stale, HttpStatusCode.PreconditionFailed, "precondition-failed");
        using var final = await api.GetStepAsync("goal_selection");
        Assert.Equal("fresh", (await JsonAsync(final)).GetProperty("data").GetProperty("goals")[0].GetString());
    }

    [Fact]
    public async Task StateWrite_TagFromBeforeAReset_Returns412()
    {
        var userId = HostFixture.NewUserId();
        using var api = host.Api(userId, "US");
        using (await api.PostAsync("/api/onboarding/dismiss", ifMatch: "\"state-0\""))
        {
        }

        using var support = host.Api(HostFixture.NewUserId("support"), "US", "support");
        using (await support.PostAsync($"/api/admin/onboarding/users/{userId}/reset"))
        {
        }

        using var stale = await api.PostAsync("/api/onboarding/dismiss", ifMatch: "\"state-0\"");

        await ProblemAsync(stale, HttpStatusCode.PreconditionFailed, "precondition-failed");
    }

    [Fact]
    public async Task AdminGet_AsPlainUser_Returns403()
    {
        using var api = NewUser();

        using var response = await api.Client.GetAsync("/api/admin/onboarding/users/someone", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
