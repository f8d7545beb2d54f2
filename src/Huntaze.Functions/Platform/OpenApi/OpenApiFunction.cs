using System.Text.Json;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace Huntaze.Functions.Platform.OpenApi;

/// <summary><c>GET /api/openapi.json</c>: the contract, anonymous and cacheable (it changes only with a deployment).</summary>
public sealed class OpenApiFunction(ApiContract contract)
{
    /// <summary>Caches may keep it for an hour and must revalidate with the ETag after that.</summary>
    public const string CacheControl = "public, max-age=3600, must-revalidate";

    [Function("OpenApiDocument")]
    [AllowAnonymousAccess]
    [RateLimit(RateLimitPolicies.Anonymous)]
    [ApiConditional(ApiConditions.IfNoneMatch)]
    [ApiResponse(200, typeof(JsonElement), ETag = true, Description = "This OpenAPI 3.1 document.")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var document = await contract.GetAsync(cancellationToken).ConfigureAwait(false);
        var notModified = EntityTags.WeakMatch(EntityTags.Parse(request, HeaderNames.IfNoneMatch), document.ETag);
        return new CachedDocumentResult(notModified ? null : document.Json, document.ETag);
    }

    private sealed class CachedDocumentResult(byte[]? json, string etag) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = json is null ? StatusCodes.Status304NotModified : StatusCodes.Status200OK;
            response.Headers.ETag = etag;
            response.Headers.CacheControl = CacheControl;
            if (json is not null)
            {
                response.ContentType = "application/json; charset=utf-8";
                response.ContentLength = json.Length;
                await response.Body.WriteAsync(json, context.HttpContext.RequestAborted).ConfigureAwait(false);
            }
        }
    }
}
