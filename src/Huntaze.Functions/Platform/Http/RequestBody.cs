using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// Reads a JSON request body strictly: <c>application/json</c> only (415), at most 64 KB unless a caller says otherwise (413), complete
/// (a body shorter than declared or a malformed chunked body is a 400), valid UTF-8 with no unpaired
/// surrogate escapes (400: refused, never stored as U+FFFD), well-formed (400), no unknown or duplicate
/// members (400), numbers as JSON numbers (400 for <c>"5"</c>), and required members present (400).
/// </summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken) =>
        ReadJsonAsync<T>(request, MaxBytes, cancellationToken);

    /// <param name="maxBytes">A larger limit for bodies others define (Azure Monitor alerts reach 256 KB).</param>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var body = await ReadAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(body.Span, ApiJson.Options)
                ?? throw Problems.MalformedJson("The request body must be a JSON object, not null.");
        }
        catch (JsonException exception)
        {
            throw Problems.MalformedJson(JsonErrorText.Describe(exception, typeof(T)), exception.Path);
        }
    }

    /// <summary>The body as text, for bodies validated by a parser of their own (flag documents): the same checks short of deserializing.</summary>
    public static async Task<string> ReadJsonTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadAsync(request, MaxBytes, cancellationToken).ConfigureAwait(false);
        return StrictUtf8.GetString(body.Span);
    }

    /// <summary>415 unless the body is declared as JSON (form, multipart and text types included).</summary>
    public static void EnsureJsonContentType(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
              (mediaType.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))))
        {
            throw Problems.UnsupportedMediaType();
        }
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        EnsureJsonContentType(request);
        if (request.ContentLength > maxBytes)
        {
            throw Problems.PayloadTooLarge(maxBytes);
        }

        // A declared length is read into a buffer of exactly that size (one allocation); a chunked body grows one.
        var buffer = new byte[request.ContentLength is { } declared ? (int)declared : Math.Min(maxBytes, 4096)];
        var length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    if (request.ContentLength is not null)
                    {
                        // Kestrel ends the body at the declared length; a shorter one is a framing error it reports (below).
                        break;
                    }

                    if (length >= maxBytes)
                    {
                        if (await request.Body.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) > 0)
                        {
                            throw Problems.PayloadTooLarge(maxBytes);
                        }

                        break;
                    }

                    Array.Resize(ref buffer, Math.Min(maxBytes, buffer.Length * 2));
                }
            }
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel's own framing errors: a body shorter than Content-Length, a malformed chunk.
            throw exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problems.PayloadTooLarge(maxBytes)
                : Problems.BadRequest("The request body is incomplete or its framing (Content-Length, chunked encoding) is malformed.");
        }

        if (length == 0)
        {
            throw Problems.MalformedJson("The request body is empty; a JSON object is required.");
        }

        var body = new ReadOnlyMemory<byte>(buffer, 0, length);
        EnsureValidText(body.Span);
        return body;
    }

    /// <summary>
    /// Every string and member name decodes to valid UTF-16: the reader itself accepts invalid UTF-8 and
    /// unpaired surrogate escapes (<c>"\ud800"</c>) inside strings, which would then be stored mangled or fail
    /// on the way out. Syntax errors are left to the deserializer, which names them.
    /// </summary>
    private static void EnsureValidText(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = ApiJson.Options.MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    try
                    {
                        reader.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        throw Problems.MalformedJson("The request body holds text that is not valid UTF-8, or an unpaired surrogate escape such as \\ud800.");
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not well-formed: the deserializer reports it with its path.
        }
    }
}
