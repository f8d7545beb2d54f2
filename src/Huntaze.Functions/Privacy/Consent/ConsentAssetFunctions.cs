using System.Security.Cryptography;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Privacy.Consent;

/// <summary>
/// The drop-in banner: one ES module and its stylesheet (no framework, no third-party request), and a demo page in
/// Development. Under the app's route prefix like every function: <c>/api/consent/banner.js</c> (ADR 0015).
/// </summary>
public sealed class ConsentAssetFunctions(SecurityEnvironment environment)
{
    /// <summary>The demo page's own policy: its script, stylesheet and API calls come from this origin only.</summary>
    public const string DemoContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static readonly EmbeddedAsset Script = EmbeddedAsset.Load("banner.js", "text/javascript; charset=utf-8");
    public static readonly EmbeddedAsset Stylesheet = EmbeddedAsset.Load("banner.css", "text/css; charset=utf-8");
    public static readonly EmbeddedAsset Demo = EmbeddedAsset.Load("demo.html", "text/html; charset=utf-8");

    [Function("ConsentBannerScript")]
    [AllowAnonymousAccess]
    [ApiConditional(ApiConditions.IfNoneMatch)]
    [ApiResponse(200, MediaType = "text/javascript", ETag = true, Description = "The banner, an ES module (publicly cacheable for 5 minutes).")]
    public static IActionResult ScriptAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent/banner.js")] HttpRequest request) => Script;

    [Function("ConsentBannerStylesheet")]
    [AllowAnonymousAccess]
    [ApiConditional(ApiConditions.IfNoneMatch)]
    [ApiResponse(200, MediaType = "text/css", ETag = true, Description = "The banner's stylesheet (publicly cacheable for 5 minutes).")]
    public static IActionResult StylesheetAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent/banner.css")] HttpRequest request) => Stylesheet;

    /// <summary>Development only (404 elsewhere): a page showing the banner, for people and the browser test.</summary>
    [Function("ConsentDemo")]
    [AllowAnonymousAccess]
    [ApiConditional(ApiConditions.IfNoneMatch)]
    [ApiResponse(200, MediaType = "text/html", ETag = true, Description = "A page showing the banner, with its own Content-Security-Policy (Development only).")]
    [ApiResponse(404, Description = "Outside Development.")]
    public IActionResult DemoPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "consent/demo")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!environment.IsDevelopment)
        {
            throw Problems.NotFound("There is no consent demo outside Development.");
        }

        ResponseHeaders.UseContentSecurityPolicy(request.HttpContext, DemoContentSecurityPolicy);
        return Demo;
    }
}

/// <summary>A file shipped inside the app, served with a strong ETag and a short public cache lifetime (304 on a match).</summary>
public sealed class EmbeddedAsset : IActionResult
{
    private EmbeddedAsset(byte[] content, string contentType)
    {
        Content = content;
        ContentType = contentType;
        ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16)) + "\"";
    }

    public byte[] Content { get; }

    public string ContentType { get; }

    public string ETag { get; }

    public static EmbeddedAsset Load(string name, string contentType)
    {
        using var stream = typeof(EmbeddedAsset).Assembly.GetManifestResourceStream("Huntaze.Functions.Privacy.Consent.Assets." + name)
            ?? throw new InvalidOperationException($"The consent asset '{name}' is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new EmbeddedAsset(copy.ToArray(), contentType);
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        http.Response.Headers.ETag = ETag;
        http.Response.Headers.CacheControl = "public, max-age=300";
        if (EntityTags.WeakMatch(EntityTags.Parse(http.Request, "If-None-Match"), ETag))
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ContentType;
        http.Response.ContentLength = Content.Length;
        await http.Response.Body.WriteAsync(Content, http.RequestAborted).ConfigureAwait(false);
    }
}
