using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Huntaze.Functions.Privacy.Subjects;

/// <summary>
/// Deterministic authenticated encryption of a subject's user id under their key, as an inline token
/// <c>[[enc:{keyId}:{base64url(nonce|ciphertext|tag)}]]</c>. The key id is random: once the key is
/// destroyed, nothing links the token to the person. The nonce is an HMAC of the plaintext
/// (a synthetic IV), so the same id always gives the same token: the audit log can still be searched by
/// actor. That reveals only that two entries name the same person, which the log must show anyway.
/// </summary>
public static partial class SubjectCipher
{
    public const string Erased = "[erased]";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>Characters a user id may hold, apart from ':' and '=' (so <c>user:u1</c> and <c>?actor=u1</c> still find u1).</summary>
    private const string IdChars = @"A-Za-z0-9._@|+\-";

    public static string Seal(byte[] subjectKey, string keyId, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(subjectKey);
        ArgumentNullException.ThrowIfNull(plaintext);
        var (encKey, macKey) = Keys(subjectKey);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var nonce = HMACSHA256.HashData(macKey, data).AsSpan(0, NonceBytes).ToArray();
        var sealedBytes = new byte[NonceBytes + data.Length + TagBytes];
        nonce.CopyTo(sealedBytes, 0);
        using (var aes = new AesGcm(encKey, TagBytes))
        {
            aes.Encrypt(nonce, data, sealedBytes.AsSpan(NonceBytes, data.Length), sealedBytes.AsSpan(NonceBytes + data.Length), Encoding.ASCII.GetBytes(keyId));
        }

        return $"[[enc:{keyId}:{WebEncoders.Base64UrlEncode(sealedBytes)}]]";
    }

    public static bool TryOpen(byte[] subjectKey, string keyId, string payload, out string plaintext)
    {
        ArgumentNullException.ThrowIfNull(subjectKey);
        plaintext = "";
        byte[] sealedBytes;
        try
        {
            sealedBytes = WebEncoders.Base64UrlDecode(payload);
        }
        catch (FormatException)
        {
            return false;
        }

        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            return false;
        }

        var (encKey, _) = Keys(subjectKey);
        var data = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(encKey, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, data.Length), sealedBytes.AsSpan(NonceBytes + data.Length), data, Encoding.ASCII.GetBytes(keyId));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        plaintext = Encoding.UTF8.GetString(data);
        return true;
    }

    /// <summary>Every token in a text: (whole token, key id, payload).</summary>
    public static IEnumerable<(string Token, string KeyId, string Payload)> Tokens(string? text) =>
        text is null ? [] : TokenPattern().Matches(text).Select(m => (m.Value, m.Groups["key"].Value, m.Groups["payload"].Value));

    /// <summary>Replaces whole-id occurrences of <paramref name="userId"/> (not inside a longer id: u1 is not found in u10).</summary>
    public static string Replace(string text, string userId, string replacement)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Regex.Replace(text, Occurrence(userId), replacement.Replace("$", "$$", StringComparison.Ordinal), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>Whether the text names <paramref name="userId"/> as a whole id (erasure verification).</summary>
    public static bool Mentions(string? text, string userId) =>
        text is not null && Regex.IsMatch(text, Occurrence(userId), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static string Occurrence(string userId) => $"(?<![{IdChars}]){Regex.Escape(userId)}(?![{IdChars}])";

    private static (byte[] Enc, byte[] Mac) Keys(byte[] subjectKey) =>
        (HKDF.DeriveKey(HashAlgorithmName.SHA256, subjectKey, 32, info: "huntaze-subject-enc"u8.ToArray()),
         HKDF.DeriveKey(HashAlgorithmName.SHA256, subjectKey, 32, info: "huntaze-subject-siv"u8.ToArray()));

    [GeneratedRegex(@"\[\[enc:(?<key>k[0-9a-f]{32}):(?<payload>[A-Za-z0-9_-]+)\]\]", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
