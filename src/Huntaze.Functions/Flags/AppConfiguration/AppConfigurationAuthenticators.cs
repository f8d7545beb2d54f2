using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;

namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>Adds credentials to a request just before it is sent (each attempt is signed afresh).</summary>
public interface IAppConfigurationAuthenticator
{
    ValueTask AuthenticateAsync(HttpRequestMessage request, byte[] body, CancellationToken cancellationToken);
}

/// <summary>
/// HMAC-SHA256 access-key signing as documented for the App Configuration REST API:
/// <c>VERB\n{path?query}\n{x-ms-date};{host};{x-ms-content-sha256}</c> signed with the base64-decoded secret.
/// </summary>
public sealed class HmacAuthenticator(string credential, byte[] secret, TimeProvider time) : IAppConfigurationAuthenticator
{
    public const string SignedHeaders = "x-ms-date;host;x-ms-content-sha256";

    public ValueTask AuthenticateAsync(HttpRequestMessage request, byte[] body, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var date = time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        var contentHash = Convert.ToBase64String(SHA256.HashData(body));
        var signature = Sign(secret, request.Method.Method, uri.PathAndQuery, date, uri.Authority, contentHash);
        request.Headers.TryAddWithoutValidation("x-ms-date", date);
        request.Headers.TryAddWithoutValidation("x-ms-content-sha256", contentHash);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "HMAC-SHA256", $"Credential={credential}&SignedHeaders={SignedHeaders}&Signature={signature}");
        return ValueTask.CompletedTask;
    }

    public static string Sign(byte[] secret, string verb, string pathAndQuery, string date, string host, string contentHash)
    {
        var stringToSign = $"{verb.ToUpperInvariant()}\n{pathAndQuery}\n{date};{host};{contentHash}";
        return Convert.ToBase64String(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(stringToSign)));
    }
}

/// <summary>Entra ID bearer tokens (managed identity in Azure), cached until five minutes before expiry.</summary>
public sealed class BearerAuthenticator(TokenCredential credential, TimeProvider time) : IAppConfigurationAuthenticator, IDisposable
{
    public const string Scope = "https://appconfig.azure.com/.default";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _token;

    public void Dispose() => _gate.Dispose();

    public async ValueTask AuthenticateAsync(HttpRequestMessage request, byte[] body, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
    }

    private async ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } cached && cached.ExpiresOn > time.GetUtcNow().AddMinutes(5))
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is { } again && again.ExpiresOn > time.GetUtcNow().AddMinutes(5))
            {
                return again;
            }

            var fresh = await credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken).ConfigureAwait(false);
            _token = fresh;
            return fresh;
        }
        finally
        {
            _gate.Release();
        }
    }
}
