using System.Net;
using Huntaze.IntegrationTests.Infrastructure;
using static Huntaze.IntegrationTests.Onboarding.OnboardingApi;

namespace Huntaze.IntegrationTests.Onboarding;

[Collection(OnboardingTestGroup.Name)]
public sealed class ConcurrencyTests(OnboardingHostFixture host)
{
    private static readonly string[] FinalSteps = ["ai_assistant_setup", "setup_payouts", "invite_team"];

    [Fact]
    public async Task Patch_50ConcurrentWithSameETag_ExactlyOneWinsAndIsStored()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await api.PatchAsync("creator_assessment", new { status = "in_progress", data = new { writer = i } }, "\"step-0\"");
            return (Writer: i, response.StatusCode, Body: await JsonAsync(response));
        }));

        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Single(winners);
        // The distributed rate limiter may answer 429 under same-user contention before the request
        // reaches onboarding; such a request changed nothing, which the stored state below confirms.
        Assert.All(responses.Except(winners), r => Assert.True(
            r.StatusCode == HttpStatusCode.PreconditionFailed || IsRateLimited(r.StatusCode, r.Body), $"{(int)r.StatusCode}: {r.Body}"));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.PreconditionFailed);
        using var stored = await api.GetStepAsync("creator_assessment");
        var body = await JsonAsync(stored);
        Assert.Equal(winners[0].Writer, body.GetProperty("data").GetProperty("writer").GetInt32());
        Assert.Equal(1, body.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Patch_ReadModifyWriteWorkersWithRetry_LoseNoIncrement()
    {
        const int Workers = 12;
        const int IncrementsEach = 3;
        using var api = host.Api(HostFixture.NewUserId(), "US");

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var done = 0; done < IncrementsEach;)
            {
                using var read = await api.GetStepAsync("creator_assessment");
                var body = await JsonAsync(read);
                if (IsRateLimited(read.StatusCode, body))
                {
                    await Task.Delay(50, TestContext.Current.CancellationToken);
                    continue;
                }

                var counter = body.TryGetProperty("data", out var data) ? data.GetProperty("counter").GetInt32() : 0;
                using var write = await api.PatchAsync("creator_assessment", new { status = "in_progress", data = new { counter = counter + 1 } }, ETagOf(read));
                if (write.StatusCode == HttpStatusCode.OK)
                {
                    done++;
                }
                else
                {
                    var problem = await JsonAsync(write);
                    Assert.True(write.StatusCode == HttpStatusCode.PreconditionFailed || IsRateLimited(write.StatusCode, problem), $"{(int)write.StatusCode}: {problem}");
                }
            }
        })));

        using var final = await api.GetStepAsync("creator_assessment");
        var result = await JsonAsync(final);
        Assert.Equal(Workers * IncrementsEach, result.GetProperty("data").GetProperty("counter").GetInt32());
        Assert.Equal(Workers * IncrementsEach, result.GetProperty("version").GetInt32());
    }

    private static bool IsRateLimited(HttpStatusCode status, System.Text.Json.JsonElement body) =>
        status == HttpStatusCode.TooManyRequests && body.GetProperty("type").GetString() == "https://huntaze.com/problems/rate-limited";

    [Fact]
    public async Task Patch_DifferentStepsConcurrently_AllSucceedAndCompleteOnce()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        await api.CompleteAsync("creator_assessment", "goal_selection", "connect_platforms");

        var results = await Task.WhenAll(FinalSteps.Select(async stepId =>
        {
            using var response = await api.PatchAsync(stepId, new { status = "completed" }, "\"step-0\"");
            return response.StatusCode;
        }));

        Assert.All(results, s => Assert.Equal(HttpStatusCode.OK, s));
        using var view = await api.GetViewAsync();
        var state = (await JsonAsync(view)).GetProperty("state");
        Assert.True(state.GetProperty("completed").GetBoolean());
        Assert.Equal(1, state.GetProperty("version").GetInt32());
    }

    /// <summary>
    /// Two instances of the app, each holding the guides it last read or wrote (ADR 0019), and a tab on each writing in
    /// turn: every answer is the one a fresh read gives, whatever the answering instance held.
    /// </summary>
    [Fact]
    public async Task Patch_TabsOnTwoInstances_AnsweredAsOverTheStoredGuide()
    {
        await using var second = await host.Root.StartSecondHostAsync(host.Overrides());
        await second.WaitUntilOnboardingEnabledAsync();
        var userId = HostFixture.NewUserId();
        using var tabA = host.Api(userId, "US");
        using var tabB = new OnboardingApi(OnboardingHostFixture.ClientFor(second, userId, "US"));

        using var first = await tabA.PatchAsync("creator_assessment", new { status = "in_progress" }, "\"step-0\"");
        using var onB = await tabB.PatchAsync("creator_assessment", new { status = "completed" }, ETagOf(first));
        // A holds step 1, storage has step 2, and the tab sends step 2's tag: written over the fresh read.
        using var current = await tabA.PatchAsync("creator_assessment", new { status = "in_progress", data = new { tab = "A" } }, ETagOf(onB));
        // B holds step 2 and the tab sends step 2's tag, but storage has step 3: refused with step 3.
        using var stale = await tabB.PatchAsync("creator_assessment", new { status = "completed", data = new { tab = "B" } }, ETagOf(onB));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], new[] { first, onB, current, stale }.Select(r => r.StatusCode));
        Assert.Equal("\"step-3\"", ETagOf(current));
        Assert.Equal(ETagOf(current), ETagOf(stale));
        using var stored = await tabB.GetStepAsync("creator_assessment");
        var body = await JsonAsync(stored);
        Assert.Equal("in_progress", body.GetProperty("status").GetString());
        Assert.Equal("A", body.GetProperty("data").GetProperty("tab").GetString());
    }
}
