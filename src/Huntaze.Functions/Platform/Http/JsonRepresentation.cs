using System.Security.Cryptography;
using System.Text.Json;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// A response body serialized once: the UTF-8 bytes that are sent and a strong ETag hashing exactly those
/// bytes, so the tag, the 304 decision and the 200 body can never disagree.
/// </summary>
public sealed class JsonRepresentation
{
    private JsonRepresentation(object value, byte[] utf8, string etag)
    {
        Value = value;
        Utf8 = utf8;
        ETag = etag;
    }

    /// <summary>What was serialized (for the service's callers and tests).</summary>
    public object Value { get; }

    public ReadOnlyMemory<byte> Utf8 { get; }

    public string ETag { get; }

    public static JsonRepresentation Of(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var utf8 = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), ApiJson.Options);
        var hash = SHA256.HashData(utf8);
        return new JsonRepresentation(value, utf8, $"\"{Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_')}\"");
    }
}
