using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Privacy.Handlers;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Workflow;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary>The DPO's side: requests on a user's behalf (with a reason), the queue, extensions, resolutions.</summary>
public sealed class DsrAdminFunctions(PrivacyRequestService service, RequestEndpoints endpoints, SubjectScanner scanner, DataMap map, TimeProvider time)
{
    [Function("DsrExport")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [ApiBody(typeof(DpoExportBody))]
    [ApiResponse(202, typeof(RequestView), Location = true, Description = "Opened; Location is its status URL.")]
    [ApiResponse(200, typeof(RequestView), Description = "The same kind of request is already open for the user: that one.")]
    public async Task<IActionResult> ExportAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/dsr/export")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync<DpoExportBody>(request, cancellationToken).ConfigureAwait(false);
        var errors = new Dictionary<string, string[]>();
        var userId = RequireUserId(body.UserId, errors);
        var reason = RequireReason(body.Reason, errors);
        var type = body.Type switch
        {
            null or "access" => RequestType.Access,
            "portability" => RequestType.Portability,
            _ => (RequestType?)null,
        };
        if (type is null)
        {
            errors["type"] = ["'access' (default) or 'portability'."];
        }

        ThrowIfInvalid(errors);
        return await OpenAsync(request, client, userId!, type!.Value, reason!, cancellationToken).ConfigureAwait(false);
    }

    [Function("DsrDelete")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [ApiBody(typeof(DpoDeleteBody))]
    [ApiResponse(202, typeof(RequestView), Location = true, Description = "Opened; Location is its status URL.")]
    [ApiResponse(200, typeof(RequestView), Description = "The same kind of request is already open for the user: that one.")]
    [ApiResponse(409)]
    public async Task<IActionResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/dsr/delete")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync<DpoDeleteBody>(request, cancellationToken).ConfigureAwait(false);
        var errors = new Dictionary<string, string[]>();
        var userId = RequireUserId(body.UserId, errors);
        var reason = RequireReason(body.Reason, errors);
        if (body.Confirm != true)
        {
            errors["confirm"] = ["Must be true: an erasure cannot be undone. Check GET /api/admin/dsr/delete/preview first."];
        }

        ThrowIfInvalid(errors);
        return await OpenAsync(request, client, userId!, RequestType.Erasure, reason!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts per store of what an erasure would find. Reads only: nothing is written, not even an audit entry.</summary>
    [Function("DsrDeletePreview")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiQuery("userId", typeof(string), "The user whose data an erasure would find.", Required = true)]
    [ApiResponse(200, typeof(ErasurePreview))]
    public async Task<IActionResult> PreviewAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/dsr/delete/preview")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var userId = RequireUserId(request.Query["userId"].ToString(), errors);
        ThrowIfInvalid(errors);
        var counts = await scanner.CountAsync(userId!, cancellationToken).ConfigureAwait(false);
        var erasedBefore = await service.ErasedBeforeAsync(userId!, cancellationToken).ConfigureAwait(false);
        if (counts.Sum(c => c.Count) == 0 && erasedBefore.Count == 0)
        {
            throw Problems.NotFound("No data is held for this user id, and it was never erased.");
        }

        var hold = await service.HoldAsync(userId!, cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(new ErasurePreview(
            userId!,
            [.. counts.Select(c => new PreviewStore(c.Store, c.Count, RequestStore.Snake(map.Get(c.Store).Erasure.Action)))],
            counts.Sum(c => c.Count),
            hold is null ? null : new LegalHoldView(hold.Reason ?? "", hold.Since, hold.SetBy),
            erasedBefore));
    }

    [Function("DsrList")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiQuery("status", typeof(string), "'open' (default) or 'overdue'.")]
    [ApiResponse(200, typeof(RequestList))]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/dsr")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var status = request.Query["status"].ToString();
        if (status is not ("" or "open" or "overdue"))
        {
            ThrowIfInvalid(new Dictionary<string, string[]> { ["status"] = ["'open' (default) or 'overdue'."] });
        }

        var views = new List<RequestView>();
        foreach (var item in await service.ListOpenAsync(status == "overdue", cancellationToken).ConfigureAwait(false))
        {
            views.Add(await endpoints.ViewAsync(client, item, forDpo: true, cancellationToken).ConfigureAwait(false));
        }

        return ApiResult.Ok(new RequestList(views));
    }

    [Function("DsrGet")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(RequestView))]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/dsr/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        ApiResult.Ok(await endpoints.ViewAsync(client, await service.GetAsync(id, cancellationToken).ConfigureAwait(false), forDpo: true, cancellationToken).ConfigureAwait(false));

    [Function("DsrExportDownload")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, MediaType = "application/zip", Description = "The export archive (a zip of one JSON file per store).")]
    [ApiResponse(410)]
    public async Task<IActionResult> DownloadAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/dsr/{id}/export")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await endpoints.DownloadAsync(await service.GetAsync(id, cancellationToken).ConfigureAwait(false), request.RequireCaller().UserId, Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false);

    [Function("DsrExtend")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [ApiBody(typeof(ExtendBody))]
    [ApiResponse(200, typeof(RequestView))]
    [ApiResponse(409)]
    public async Task<IActionResult> ExtendAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/dsr/{id}/extend")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync<ExtendBody>(request, cancellationToken).ConfigureAwait(false);
        var extended = await service.ExtendAsync(request.RequireCaller().UserId, id, body, Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(RequestView.Of(extended, time.GetUtcNow(), forDpo: true));
    }

    [Function("DsrResolve")]
    [RequireRoles(Roles.Dpo, Roles.Admin)]
    [RateLimit(RateLimitPolicies.StepWrites)]
    [ApiBody(typeof(ResolveBody))]
    [ApiResponse(200, typeof(RequestView))]
    [ApiResponse(409)]
    public async Task<IActionResult> ResolveAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/dsr/{id}/resolve")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync<ResolveBody>(request, cancellationToken).ConfigureAwait(false);
        var resolved = await service.ResolveAsync(request.RequireCaller().UserId, id, body, Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false);
        // The workflow waits for this event to finish; the request is already closed whatever it does.
        await client.RaiseEventAsync(RequestIds.InstanceId(id), PrivacyRequestOrchestration.ResolvedEvent, body.Outcome, cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(RequestView.Of(resolved, time.GetUtcNow(), forDpo: true));
    }

    private async Task<IActionResult> OpenAsync(HttpRequest request, DurableTaskClient client, string userId, RequestType type, string reason, CancellationToken cancellationToken)
    {
        await service.EnsureKnownAsync(userId, ct => scanner.HoldsAnyAsync(userId, ct), cancellationToken).ConfigureAwait(false);
        var caller = request.RequireCaller();
        var (opened, created) = await service.OpenAsync(
            new OpenCommand(userId, type, null, PrivacyRequest.DpoChannel, caller.UserId, reason, Correlation.Get(request.HttpContext)), cancellationToken).ConfigureAwait(false);
        return await endpoints.OpenedAsync(client, opened, created, forDpo: true, cancellationToken).ConfigureAwait(false);
    }

    internal static string? RequireUserId(string? userId, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(userId))
        {
            errors["userId"] = ["Required."];
            return null;
        }

        if (UserIds.IsValid(userId))
        {
            return userId;
        }

        errors["userId"] = ["Not a valid user id (letters, digits and . _ @ | : + = -, at most 128)."];
        return null;
    }

    internal static string? RequireReason(string? reason, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > PrivacyRequestService.MaxTextLength)
        {
            errors["reason"] = [$"Required when acting for a user, at most {PrivacyRequestService.MaxTextLength} characters."];
            return null;
        }

        return reason.Trim();
    }

    internal static void ThrowIfInvalid(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw PrivacyRequestService.Invalid(errors);
        }
    }
}
