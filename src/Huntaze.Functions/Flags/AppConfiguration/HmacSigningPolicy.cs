using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>
/// HMAC-SHA256 access-key signing as documented for the App Configuration REST API:
/// <c>VERB\n{path?query}\n{x-ms-date};{host};{x-ms-content-sha256}</c> signed with the base64-decoded secret.
/// A per-retry policy, so every attempt carries a fresh <c>x-ms-date</c> and signature.
/// </summary>
public sealed class HmacSigningPolicy(string credential, byte[] secret, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public const string SignedHeaders = "x-ms-date;host;x-ms-content-sha256";

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = message.Request;
        using var body = new MemoryStream();
        request.Content?.WriteTo(body, message.CancellationToken);
        var uri = request.Uri.ToUri();
        var date = time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        var contentHash = Convert.ToBase64String(SHA256.HashData(body.ToArray()));
        var signature = Sign(secret, request.Method.Method, uri.PathAndQuery, date, uri.Authority, contentHash);
        request.Headers.SetValue("x-ms-date", date);
        request.Headers.SetValue("x-ms-content-sha256", contentHash);
        request.Headers.SetValue("Authorization", $"HMAC-SHA256 Credential={credential}&SignedHeaders={SignedHeaders}&Signature={signature}");
    }

    public static string Sign(byte[] secret, string verb, string pathAndQuery, string date, string host, string contentHash)
    {
        var stringToSign = $"{verb.ToUpperInvariant()}\n{pathAndQuery}\n{date};{host};{contentHash}";
        return Convert.ToBase64String(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(stringToSign)));
    }
}
