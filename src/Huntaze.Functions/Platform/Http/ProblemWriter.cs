using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Platform.Http;

/// <summary>The one place that writes RFC 9457 problem details (built by <see cref="Problems"/>).</summary>
public static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    public static async Task WriteAsync(HttpContext http, ProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(problem);
        var response = http.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.Clear();
        response.StatusCode = problem.Type.Status;
        foreach (var (name, value) in problem.Headers)
        {
            response.Headers[name] = value;
        }

        var body = new Dictionary<string, object?>
        {
            ["type"] = problem.Type.Uri,
            ["title"] = problem.Type.Title,
            ["status"] = problem.Type.Status,
            ["detail"] = problem.Detail ?? problem.Type.Title,
            ["instance"] = http.Request.Path.Value,
            ["traceId"] = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
            ["correlationId"] = Correlation.Get(http),
        };
        foreach (var (key, value) in problem.Extensions)
        {
            body[key] = value;
        }

        response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(response.Body, body, ApiJson.Options, http.RequestAborted).ConfigureAwait(false);
    }
}
