using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// A JSON response written with <see cref="ApiJson.Options"/>, so both hosts serialize identically
/// without depending on MVC formatters.
/// </summary>
public sealed class ApiResult(int status, object? body, IReadOnlyDictionary<string, string>? headers = null) : IActionResult
{
    public int Status { get; } = status;

    public object? Body { get; } = body;

    public static ApiResult Ok(object body, string? etag = null) => new(StatusCodes.Status200OK, body, Tag(etag));

    /// <summary>200 with a body already serialized (and tagged) once.</summary>
    public static ApiResult Ok(JsonRepresentation representation)
    {
        ArgumentNullException.ThrowIfNull(representation);
        return new(StatusCodes.Status200OK, representation, Tag(representation.ETag));
    }

    public static ApiResult Accepted(object body, string location) =>
        new(StatusCodes.Status202Accepted, body, new Dictionary<string, string> { ["Location"] = location });

    public static ApiResult NoContent() => new(StatusCodes.Status204NoContent, null);

    public static ApiResult NotModified(string etag) => new(StatusCodes.Status304NotModified, null, Tag(etag));

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = Status;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }

        if (Body is JsonRepresentation representation)
        {
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = representation.Utf8.Length;
            await response.Body.WriteAsync(representation.Utf8, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        else if (Body is not null)
        {
            response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(response.Body, Body, Body.GetType(), ApiJson.Options, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, string>? Tag(string? etag) =>
        etag is null ? null : new Dictionary<string, string> { ["ETag"] = etag };
}
