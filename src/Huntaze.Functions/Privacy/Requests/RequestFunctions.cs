using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary>The signed-in user's own data-subject requests (they act on themselves only).</summary>
public sealed class RequestFunctions(PrivacyRequestService service, RequestEndpoints endpoints)
{
    [Function("PrivacyRequestOpen")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.PrivacyRequests)]
    [ApiBody(typeof(OpenRequestBody))]
    [ApiResponse(202, typeof(RequestView), Location = true, Description = "Opened; Location is its status URL.")]
    [ApiResponse(200, typeof(RequestView), Description = "The same kind of request is already open: that one.")]
    [ApiResponse(409)]
    public async Task<IActionResult> OpenAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "privacy/requests")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var (type, claim) = PrivacyRequestService.Validate(await RequestBody.ReadJsonAsync<OpenRequestBody>(request, cancellationToken).ConfigureAwait(false));
        var (opened, created) = await service.OpenAsync(
            new OpenCommand(caller.UserId, type, claim, PrivacyRequest.UserChannel, caller.UserId, null, Correlation.Get(request.HttpContext)), cancellationToken).ConfigureAwait(false);
        return await endpoints.OpenedAsync(client, opened, created, forDpo: false, cancellationToken).ConfigureAwait(false);
    }

    [Function("PrivacyRequestList")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(RequestList))]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "privacy/requests")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var views = new List<RequestView>();
        foreach (var item in await service.ListForUserAsync(request.RequireCaller().UserId, cancellationToken).ConfigureAwait(false))
        {
            views.Add(await endpoints.ViewAsync(client, item, forDpo: false, cancellationToken).ConfigureAwait(false));
        }

        return ApiResult.Ok(new RequestList(views));
    }

    [Function("PrivacyRequestGet")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, typeof(RequestView))]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "privacy/requests/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        ApiResult.Ok(await endpoints.ViewAsync(client, await service.GetForUserAsync(request.RequireCaller().UserId, id, cancellationToken).ConfigureAwait(false), forDpo: false, cancellationToken).ConfigureAwait(false));

    [Function("PrivacyRequestExport")]
    [RequireUser]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiResponse(200, MediaType = "application/zip", Description = "The export archive (a zip of one JSON file per store).")]
    [ApiResponse(410)]
    public async Task<IActionResult> DownloadAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "privacy/requests/{id}/export")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.RequireCaller();
        var owned = await service.GetForUserAsync(caller.UserId, id, cancellationToken).ConfigureAwait(false);
        return await endpoints.DownloadAsync(owned, caller.UserId, Correlation.Get(request.HttpContext), cancellationToken).ConfigureAwait(false);
    }
}
