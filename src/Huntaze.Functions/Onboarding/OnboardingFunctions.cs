using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Onboarding;

/// <summary>The caller's onboarding guide: thin bindings over the services.</summary>
public sealed class OnboardingFunctions(OnboardingService guide, StepWriteService steps, GuideStateService state)
{
    [Function("OnboardingGet")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiConditional(ApiConditions.IfNoneMatch)]
    [ApiResponse(200, typeof(GuideView), ETag = true)]
    [ApiResponse(200, typeof(GuideDisabledView), ETag = true, Description = "The guide, or `enabled: false` with the reason while onboarding is off for the caller.")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "onboarding")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var view = await guide.GetViewAsync(request.RequireCaller(), cancellationToken).ConfigureAwait(false);
        return IsNotModified(request, view.ETag) ? ApiResult.NotModified(view.ETag) : ApiResult.Ok(view);
    }

    [Function("OnboardingStepGet")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiConditional(ApiConditions.IfNoneMatch)]
    [ApiResponse(200, typeof(StepView), ETag = true)]
    public async Task<IActionResult> GetStep(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "onboarding/steps/{stepId}")] HttpRequest request,
        string stepId,
        CancellationToken cancellationToken)
    {
        var step = await guide.GetStepAsync(request.RequireCaller(), stepId, cancellationToken).ConfigureAwait(false);
        return IsNotModified(request, step.ETag) ? ApiResult.NotModified(step.ETag) : ApiResult.Ok(step, step.ETag);
    }

    [Function("OnboardingStepPatch")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.StepWrites, CountedWithWrite = true)]
    [ApiBody(typeof(StepPatchRequest))]
    [ApiConditional(ApiConditions.IfMatch, Required = true)]
    [ApiHeader("Idempotency-Key", "1 to 64 of A-Z a-z 0-9 . _ -: a re-send with the same key and change answers 200 and writes nothing.")]
    [ApiResponse(200, typeof(StepView), ETag = true)]
    [ApiResponse(409)]
    public async Task<IActionResult> PatchStep(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "onboarding/steps/{stepId}")] HttpRequest request,
        string stepId,
        CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var patch = await RequestBody.ReadJsonAsync<StepPatchRequest>(request, cancellationToken).ConfigureAwait(false);
        var precondition = Precondition.From(request, patch.Version);
        var view = await steps.PatchAsync(caller, stepId, patch, precondition, Precondition.IdempotencyKey(request), WriteBudget.Of(request), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(view, view.ETag);
    }

    [Function("OnboardingDismiss")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.StepWrites, CountedWithWrite = true)]
    [NoApiBody]
    [ApiConditional(ApiConditions.IfMatch, Required = true)]
    [ApiResponse(200, typeof(GuideStateView), ETag = true)]
    [ApiResponse(409)]
    public async Task<IActionResult> Dismiss(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "onboarding/dismiss")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var view = await state.DismissAsync(request.RequireCaller(), Precondition.From(request, null), WriteBudget.Of(request), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(view, view.ETag);
    }

    [Function("OnboardingResume")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.StepWrites, CountedWithWrite = true)]
    [NoApiBody]
    [ApiConditional(ApiConditions.IfMatch, Required = true)]
    [ApiResponse(200, typeof(GuideStateView), ETag = true)]
    [ApiResponse(409)]
    public async Task<IActionResult> Resume(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "onboarding/resume")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var view = await state.ResumeAsync(request.RequireCaller(), Precondition.From(request, null), WriteBudget.Of(request), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(view, view.ETag);
    }

    [Function("OnboardingSnooze")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Snooze, CountedWithWrite = true)]
    [ApiBody(typeof(SnoozeRequest))]
    [ApiResponse(200, typeof(GuideStateView), ETag = true)]
    [ApiResponse(409)]
    public async Task<IActionResult> Snooze(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "onboarding/snooze")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var body = await RequestBody.ReadJsonAsync<SnoozeRequest>(request, cancellationToken).ConfigureAwait(false);
        var view = await state.SnoozeAsync(caller, body.Days, WriteBudget.Of(request), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(view, view.ETag);
    }

    [Function("OnboardingGate")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(GateResponse))]
    [ApiResponse(409)]
    public async Task<IActionResult> Gate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "onboarding/gates/{gate}")] HttpRequest request,
        string gate,
        CancellationToken cancellationToken)
    {
        await guide.CheckGateAsync(request.RequireCaller(), gate, cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(new GateResponse(true, gate));
    }

    /// <summary>If-None-Match uses the weak comparison (RFC 9110 §13.1.2): a proxy's <c>W/</c> still gets a 304.</summary>
    private static bool IsNotModified(HttpRequest request, string etag) =>
        EntityTags.WeakMatch(EntityTags.Parse(request, Microsoft.Net.Http.Headers.HeaderNames.IfNoneMatch), etag);
}

/// <summary>GET /api/onboarding/gates/{gate} when the gate is open (a closed gate is a 409 problem naming the missing steps).</summary>
public sealed record GateResponse(bool Allowed, string Gate);

/// <summary>POST /api/onboarding/snooze body.</summary>
public sealed record SnoozeRequest(int Days);
