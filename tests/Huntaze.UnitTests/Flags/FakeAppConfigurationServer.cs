using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Huntaze.UnitTests.Flags;

/// <summary>
/// An in-test App Configuration data plane written from the REST reference (rest-api-key-value): key-values
/// with ETags (body and <c>ETag</c> header), labels (a single key without <c>label</c> is the null label; a
/// list filter names it <c>%00</c>), paging, If-Match / If-None-Match (412, 304), Sync-Token, and HMAC-SHA256
/// verification written from the documented algorithm (not by calling the code under test). A request with a
/// bad signature gets 401. <see cref="LoseWriteResponses"/> commits writes and then drops the connection.
/// </summary>
internal sealed class FakeAppConfigurationServer : HttpMessageHandler
{
    public const string Credential = "test-id";
    public static readonly byte[] Secret = Encoding.UTF8.GetBytes("a test secret of thirty-two bytes");

    private readonly ConcurrentDictionary<(string Key, string Label), JsonObject> _items = new();
    private int _etag;
    private int _sync;

    public static string ConnectionString => $"Endpoint=https://test.azconfig.io;Id={Credential};Secret={Convert.ToBase64String(Secret)}";

    public int PageSize { get; set; } = 100;

    public bool VerifySignatures { get; set; } = true;

    /// <summary>Answers to give before the normal behaviour, one per request (e.g. 429s, 503s).</summary>
    public ConcurrentQueue<Func<HttpResponseMessage>> Injected { get; } = new();

    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    public List<string> ReceivedSyncTokens { get; } = [];

    public int SignatureFailures { get; private set; }

    /// <summary>How many of the next writes (PUT) commit and are then answered by a dropped connection.</summary>
    public int LoseWriteResponses { get; set; }

    public string Seed(string key, string label, string value)
    {
        var etag = NextETag();
        _items[(key, label)] = new JsonObject { ["key"] = key, ["label"] = label.Length == 0 ? null : label, ["value"] = value, ["etag"] = etag };
        return etag;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        if (request.Headers.TryGetValues("Sync-Token", out var sync))
        {
            lock (ReceivedSyncTokens)
            {
                ReceivedSyncTokens.AddRange(sync);
            }
        }

        if (VerifySignatures && !SignatureIsValid(request, body))
        {
            SignatureFailures++;
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }

        if (Injected.TryDequeue(out var injected))
        {
            return injected();
        }

        var response = Handle(request, body);
        response.Headers.TryAddWithoutValidation("Sync-Token", $"zAJw6V16=MDoyOA==;sn={Interlocked.Increment(ref _sync)}");
        if (request.Method == HttpMethod.Put && LoseWriteResponses > 0)
        {
            LoseWriteResponses--;
            response.Dispose();
            throw new HttpRequestException("The connection was reset after the request was sent.", new IOException("Connection reset by peer."));
        }

        return response;
    }

    private HttpResponseMessage Handle(HttpRequestMessage request, byte[] body)
    {
        var uri = request.RequestUri!;
        var query = ParseQuery(uri.Query);
        // "%00" is the explicit null label (the only way to name it in a list filter); a single key without
        // a label parameter is the null label too.
        var label = query.TryGetValue("label", out var l) ? (l == "\0" ? string.Empty : l) : string.Empty;
        if (uri.AbsolutePath == "/kv")
        {
            var prefix = query["key"].TrimEnd('*');
            var all = _items.Where(i => i.Key.Key.StartsWith(prefix, StringComparison.Ordinal) && i.Key.Label == label)
                .OrderBy(i => i.Key.Key, StringComparer.Ordinal).Select(i => i.Value).ToList();
            var skip = query.TryGetValue("after", out var after) ? int.Parse(after, CultureInfo.InvariantCulture) : 0;
            var page = all.Skip(skip).Take(PageSize).ToList();
            var json = new JsonObject { ["items"] = new JsonArray(page.Select(p => (JsonNode)p.DeepClone()).ToArray()) };
            if (skip + PageSize < all.Count)
            {
                json["@nextLink"] = $"/kv?key={Uri.EscapeDataString(prefix)}*&label=%00&after={skip + PageSize}&api-version=2023-11-01";
            }

            return Json(HttpStatusCode.OK, json);
        }

        var key = Uri.UnescapeDataString(uri.AbsolutePath["/kv/".Length..]);
        _items.TryGetValue((key, label), out var current);
        var ifMatch = request.Headers.IfMatch.FirstOrDefault()?.Tag;
        var ifNoneMatch = request.Headers.IfNoneMatch.FirstOrDefault()?.Tag;
        if (request.Method == HttpMethod.Get)
        {
            if (current is null)
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            }

            return ifNoneMatch is not null && $"\"{current["etag"]}\"" == ifNoneMatch
                ? new HttpResponseMessage(HttpStatusCode.NotModified)
                : Json(HttpStatusCode.OK, current, current["etag"]!.GetValue<string>());
        }

        if ((ifMatch is not null && (current is null || $"\"{current["etag"]}\"" != ifMatch)) ||
            (request.Headers.IfNoneMatch.Any(t => t.Tag == "*") && current is not null))
        {
            return Problem(HttpStatusCode.PreconditionFailed, "Precondition Failed");
        }

        var written = JsonNode.Parse(body)!.AsObject();
        written["key"] = key;
        written["label"] = label.Length == 0 ? null : label;
        written["etag"] = NextETag();
        _items[(key, label)] = written;
        return Json(HttpStatusCode.OK, written, written["etag"]!.GetValue<string>());
    }

    private static bool SignatureIsValid(HttpRequestMessage request, byte[] body)
    {
        var authorization = request.Headers.Authorization;
        if (authorization?.Scheme != "HMAC-SHA256" || authorization.Parameter is null ||
            !request.Headers.TryGetValues("x-ms-date", out var dates) ||
            !request.Headers.TryGetValues("x-ms-content-sha256", out var hashes))
        {
            return false;
        }

        var parts = authorization.Parameter.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var date = dates.Single();
        var hash = hashes.Single();
        if (parts["Credential"] != Credential || parts["SignedHeaders"] != "x-ms-date;host;x-ms-content-sha256" ||
            hash != Convert.ToBase64String(SHA256.HashData(body)) ||
            (DateTimeOffset.UtcNow - DateTimeOffset.Parse(date, CultureInfo.InvariantCulture)).Duration() > TimeSpan.FromMinutes(15))
        {
            return false;
        }

        var uri = request.RequestUri!;
        var toSign = request.Method.Method + "\n" + uri.PathAndQuery + "\n" + date + ";" + uri.Authority + ";" + hash;
        using var hmac = new HMACSHA256(Secret);
        return parts["Signature"] == Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(toSign)));
    }

    private static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty));

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode node, string? etag = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(node.ToJsonString(new JsonSerializerOptions()), Encoding.UTF8, "application/vnd.microsoft.appconfig.kv+json") };
        if (etag is not null)
        {
            response.Headers.TryAddWithoutValidation("ETag", $"\"{etag}\"");
        }

        return response;
    }

    private static HttpResponseMessage Problem(HttpStatusCode status, string title) =>
        new(status) { Content = new StringContent(new JsonObject { ["type"] = "about:blank", ["title"] = title, ["status"] = (int)status }.ToJsonString(), Encoding.UTF8, "application/problem+json") };

    /// <summary>What a test or an operator writes straight into the store (the portal's advanced edit).</summary>
    public string Put(string key, string label, string value, IReadOnlyDictionary<string, string>? tags = null)
    {
        var etag = Seed(key, label, value);
        _items[(key, label)]["content_type"] = "application/vnd.microsoft.appconfig.ff+json;charset=utf-8";
        _items[(key, label)]["tags"] = tags is null ? new JsonObject() : new JsonObject(tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value)));
        return etag;
    }

    public JsonObject? Item(string key, string label = "") => _items.TryGetValue((key, label), out var item) ? item : null;

    private string NextETag() => "etag-" + Interlocked.Increment(ref _etag).ToString(CultureInfo.InvariantCulture);
}
