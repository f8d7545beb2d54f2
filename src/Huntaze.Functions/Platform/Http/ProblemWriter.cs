using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Platform.Http;

/// <summary>The one place that writes RFC 9457 problem details.</summary>
public static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    public static Task WriteAsync(HttpContext http, ProblemException problem) =>
        WriteAsync(http, problem.Type, problem.Detail, problem.Extensions, problem.Headers);

    public static async Task WriteAsync(
        HttpContext http,
        ProblemType type,
        string? detail = null,
        IReadOnlyDictionary<string, object?>? extensions = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var response = http.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.Clear();
        response.StatusCode = type.Status;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }

        var body = new Dictionary<string, object?>
        {
            ["type"] = type.Uri,
            ["title"] = type.Title,
            ["status"] = type.Status,
            ["detail"] = detail ?? type.Title,
            ["instance"] = http.Request.Path.Value,
            ["traceId"] = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
            ["correlationId"] = Correlation.Get(http),
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            body[key] = value;
        }

        response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(response.Body, body, ApiJson.Options, http.RequestAborted).ConfigureAwait(false);
    }
}
