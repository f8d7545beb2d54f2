using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Huntaze.Functions.Security.Csrf;

/// <summary>
/// Signed double-submit tokens (OWASP CSRF cheat sheet, "signed double-submit cookie"):
/// <c>{random}.{HMAC-SHA256(key, "huntaze-csrf-v1" | session | random)}</c>, bound to the session so a token
/// taken from one session is useless in another, and stateless so every instance can verify it.
/// </summary>
public sealed class CsrfTokens
{
    public const string HeaderName = "X-CSRF-Token";

    /// <summary>HMAC-SHA256 keys shorter than the hash (256 bits) weaken it (RFC 2104 §3).</summary>
    public const int MinKeyBytes = 32;
    private const string Purpose = "huntaze-csrf-v1";
    private const int NonceBytes = 32;
    private readonly byte[] _key;

    public CsrfTokens(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException("The CSRF key must be at least 256 bits.", nameof(key));
        }

        _key = key;
    }

    /// <summary>A CSRF key derived from the development signing key, so Development needs no extra secret.</summary>
    public static byte[] DeriveFromDevelopmentKey(string developmentSigningKeyBase64) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(developmentSigningKeyBase64), 32, info: Encoding.UTF8.GetBytes(Purpose));

    public string Issue(string session)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        return $"{WebEncoders.Base64UrlEncode(nonce)}.{WebEncoders.Base64UrlEncode(Mac(session, nonce))}";
    }

    public bool Verify(string? token, string session)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1)
        {
            return false;
        }

        try
        {
            var nonce = WebEncoders.Base64UrlDecode(token[..dot]);
            var mac = WebEncoders.Base64UrlDecode(token[(dot + 1)..]);
            return nonce.Length == NonceBytes && CryptographicOperations.FixedTimeEquals(mac, Mac(session, nonce));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // Length-prefixed fields, so no (session, nonce) pair can be re-split into another.
    private byte[] Mac(string session, byte[] nonce)
    {
        var sessionBytes = Encoding.UTF8.GetBytes(session);
        var message = Encoding.UTF8.GetBytes($"{Purpose}!{sessionBytes.Length}!").Concat(sessionBytes).Concat(Encoding.UTF8.GetBytes($"!{nonce.Length}!")).Concat(nonce).ToArray();
        return HMACSHA256.HashData(_key, message);
    }
}
