using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// Reads a JSON request body strictly: <c>application/json</c> only (415), at most 64 KB (413),
/// well-formed (400), no unknown or duplicate members (400), and required members present (400).
/// </summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    public static Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken) =>
        ReadJsonAsync<T>(request, MaxBytes, cancellationToken);

    /// <param name="maxBytes">A larger limit for bodies others define (Azure Monitor alerts reach 256 KB).</param>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        EnsureJsonContentType(request);
        if (request.ContentLength > maxBytes)
        {
            throw Problems.PayloadTooLarge(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw Problems.PayloadTooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw Problems.MalformedJson("The request body is empty; a JSON object is required.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ApiJson.Options)
                ?? throw Problems.MalformedJson("The request body must be a JSON object, not null.");
        }
        catch (JsonException exception)
        {
            throw Problems.MalformedJson(JsonErrorText.Describe(exception, typeof(T)), exception.Path);
        }
    }

    /// <summary>415 unless the body is declared as JSON (form, multipart and text types included).</summary>
    public static void EnsureJsonContentType(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
              (mediaType.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))))
        {
            throw Problems.UnsupportedMediaType();
        }
    }

}
