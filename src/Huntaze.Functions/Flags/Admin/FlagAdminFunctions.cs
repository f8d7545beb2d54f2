using System.Text;
using System.Text.Json;
using Huntaze.Functions.Flags.Admin.Contracts;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Flags.Admin;

/// <summary>The flag admin API (role admin); every change is audited by <see cref="FlagAdminService"/>.</summary>
public sealed class FlagAdminFunctions(FlagAdminService flags, IKillSwitch killSwitch)
{
    [Function("AdminFeatureFlagsList")]
    [RequireRoles(Roles.Admin)]
    [ApiResponse(200, typeof(FlagListResponse))]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/feature-flags")] HttpRequest request, CancellationToken cancellationToken)
    {
        var all = await flags.ListAsync(cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(new FlagListResponse(all.Select(d => FlagResponse.From(d)).ToList()));
    }

    [Function("AdminFeatureFlagsGet")]
    [RequireRoles(Roles.Admin)]
    [ApiResponse(200, typeof(FlagResponse), ETag = true)]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/feature-flags/{name}")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        var flag = await flags.GetAsync(name, cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(FlagResponse.From(flag), HttpETag.Format(flag.ETag));
    }

    [Function("AdminFeatureFlagsPut")]
    [RequireRoles(Roles.Admin)]
    [ApiBody(typeof(JsonElement), Description = "A feature flag in the Microsoft FeatureManagement v2 schema (as the Azure portal writes it), at most 64 KB.")]
    [ApiConditional(ApiConditions.IfMatch | ApiConditions.CreateOnly)]
    [ApiResponse(200, typeof(FlagResponse), ETag = true)]
    [ApiResponse(409)]
    public async Task<IActionResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "admin/feature-flags/{name}")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        var document = await RequestBody.ReadJsonTextAsync(request, cancellationToken).ConfigureAwait(false);
        var createOnly = request.Headers.IfNoneMatch.ToString().Trim() == "*";
        var saved = await flags.PutAsync(name, document, HttpETag.IfMatch(request), createOnly, Actor(request), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(FlagResponse.From(saved), HttpETag.Format(saved.ETag));
    }

    [Function("AdminFeatureFlagsPatch")]
    [RequireRoles(Roles.Admin)]
    [ApiBody(typeof(FlagPatchRequest))]
    [ApiConditional(ApiConditions.IfMatch)]
    [ApiResponse(200, typeof(FlagResponse), ETag = true)]
    [ApiResponse(409)]
    public async Task<IActionResult> Patch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "admin/feature-flags/{name}")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        var patch = await RequestBody.ReadJsonAsync<FlagPatchRequest>(request, cancellationToken).ConfigureAwait(false);
        var saved = await flags.PatchAsync(name, patch, HttpETag.IfMatch(request), Actor(request), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(FlagResponse.From(saved), HttpETag.Format(saved.ETag));
    }

    [Function("AdminFeatureFlagsRollout")]
    [RequireRoles(Roles.Admin)]
    [ApiBody(typeof(RolloutRequest))]
    [ApiResponse(200, typeof(FlagResponse), ETag = true)]
    [ApiResponse(409)]
    public async Task<IActionResult> Rollout(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/feature-flags/{name}/rollout")] HttpRequest request, string name, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync<RolloutRequest>(request, cancellationToken).ConfigureAwait(false);
        var saved = await flags.RolloutAsync(name, body.Stage, body.Force, Actor(request), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(FlagResponse.From(saved), HttpETag.Format(saved.ETag));
    }

    [Function("AdminKillSwitchSet")]
    [RequireRoles(Roles.Admin)]
    [ApiBody(typeof(KillSwitchRequest))]
    [ApiResponse(200, typeof(KillSwitchResponse))]
    public async Task<IActionResult> SetKillSwitch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/kill-switch")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync<KillSwitchRequest>(request, cancellationToken).ConfigureAwait(false);
        if (body.Reason is { Length: > 500 })
        {
            throw Problems.Validation("reason", "'reason' must be at most 500 characters.");
        }

        var report = await flags.SetKillSwitchAsync(body.Active, body.Reason, Actor(request), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(new KillSwitchResponse(report.Active, report.Reason, report.ObservedAt, report.Propagated, InstanceId));
    }

    [Function("AdminKillSwitchGet")]
    [RequireRoles(Roles.Admin)]
    [ApiResponse(200, typeof(KillSwitchResponse))]
    public IActionResult GetKillSwitch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/kill-switch")] HttpRequest request)
    {
        var current = killSwitch.Current;
        return ApiResult.Ok(new KillSwitchResponse(current.Active, current.Reason, current.ObservedAt, null, InstanceId));
    }

    /// <summary>The answering instance: App Service's instance id in Azure, the machine name elsewhere.</summary>
    private static string InstanceId => Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID") ?? Environment.MachineName;

    private static AdminActor Actor(HttpRequest request) => new(request.RequireCaller().UserId, Correlation.Get(request.HttpContext));
}

/// <summary>ETags on the wire: stores' ETags are sent quoted (Table ETags already are), and If-Match is passed back as received.</summary>
internal static class HttpETag
{
    public static string Format(string etag) =>
        etag.StartsWith('"') || etag.StartsWith("W/", StringComparison.Ordinal) ? etag : $"\"{etag}\"";

    /// <summary>The one entity-tag a flag write is conditional on; a list, <c>*</c> or garbage is a 400.</summary>
    public static string? IfMatch(HttpRequest request) =>
        EntityTags.Parse(request, Microsoft.Net.Http.Headers.HeaderNames.IfMatch) switch
        {
            [] => null,
            [var tag] when tag != "*" => tag,
            _ => throw Problems.BadRequest("If-Match must be the single ETag you read."),
        };
}
