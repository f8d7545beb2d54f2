using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Privacy.Controls;

/// <summary>One control in force (<c>restriction</c>, <c>objection-analytics</c>, <c>objection-experimentation</c>, <c>hold</c>).</summary>
public sealed record ControlView(string Control, DateTimeOffset Since, string SetBy, string? Reason);

/// <summary>The controls in force for a user.</summary>
public sealed record UserControls(string UserId, IReadOnlyList<ControlView> Items);

/// <summary>A control just set for a user.</summary>
public sealed record UserControlView(string UserId, string Control, DateTimeOffset Since, string SetBy, string? Reason);

/// <summary>
/// The DPO's view of a user's controls: legal holds (set and lifted here), and restrictions or objections
/// (lifted here, or set on the user's behalf). Every change is audited.
/// </summary>
public sealed class ControlsAdminFunctions(PrivacyControls controls, PrivacyRequestService service)
{
    [Function("PrivacyControlsGet")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(UserControls))]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/privacy/controls/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var id = UserId(userId);
        var records = await controls.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(new UserControls(id, [.. records.Select(c => new ControlView(ControlKinds.RowKey(c.Kind), c.Since, c.SetBy, c.Reason))]));
    }

    [Function("PrivacyControlSet")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [ApiBody(typeof(ControlBody))]
    [ApiResponse(200, typeof(UserControlView))]
    public async Task<IActionResult> SetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "admin/privacy/controls/{userId}/{control}")] HttpRequest request,
        string userId,
        string control,
        CancellationToken cancellationToken)
    {
        var id = UserId(userId);
        var kind = Kind(control);
        var body = await RequestBody.ReadJsonAsync<ControlBody>(request, cancellationToken).ConfigureAwait(false);
        var record = await service.SetControlAsync(request.RequireCaller().UserId, id, kind, body.Reason, Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(new UserControlView(id, ControlKinds.RowKey(record.Kind), record.Since, record.SetBy, record.Reason));
    }

    [Function("PrivacyControlLift")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [ApiResponse(204)]
    public async Task<IActionResult> LiftAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "admin/privacy/controls/{userId}/{control}")] HttpRequest request,
        string userId,
        string control,
        CancellationToken cancellationToken)
    {
        var id = UserId(userId);
        var lifted = await service.LiftControlAsync(request.RequireCaller().UserId, id, Kind(control), Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false);
        return lifted ? ApiResult.NoContent() : throw Problems.NotFound($"No {control} is in force for this user.");
    }

    private static string UserId(string userId)
    {
        var errors = new Dictionary<string, string[]>();
        var id = DsrAdminFunctions.RequireUserId(userId, errors);
        DsrAdminFunctions.ThrowIfInvalid(errors);
        return id!;
    }

    private static ControlKind Kind(string control) =>
        ControlKinds.FromRowKey(control) ?? throw PrivacyRequestService.Invalid(new Dictionary<string, string[]>
        {
            ["control"] = ["One of restriction, objection-analytics, objection-experimentation, hold."],
        });
}
