using System.Globalization;

namespace Huntaze.Functions.Security;

/// <summary>
/// What a user id (a token's <c>sub</c>, an admin route's <c>{userId}</c>) may be. User ids are partition
/// keys of every per-user table, so they must be valid Table keys (no <c>/</c>, <c>\</c>, <c>#</c>,
/// <c>?</c> or control characters); the rule is an allowlist that every identity provider we target
/// fits (Entra ID's base64url <c>sub</c>, GUIDs, <c>provider|id</c>, e-mail-like ids), and it is the same
/// rule for authentication and for the admin API, so every user who can sign in can be addressed by support.
/// </summary>
public static class UserIds
{
    public const int MaxLength = 128;

    public const string AllowedCharacters = "A-Z a-z 0-9 . _ @ | : + = -";

    public static bool IsValid(string? userId) => Explain(userId) is null;

    /// <summary>
    /// Why <paramref name="userId"/> is not a user id, or null when it is one. The reason never contains
    /// the offending character itself unless it is printable ASCII: control characters are named by code point.
    /// </summary>
    public static string? Explain(string? userId)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return "it is empty";
        }

        if (userId.Length > MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it is {userId.Length} characters long; at most {MaxLength} are allowed");
        }

        for (var i = 0; i < userId.Length; i++)
        {
            var c = userId[i];
            if (!IsAllowed(c))
            {
                var shown = c is > ' ' and < '\u007f' ? $"'{c}' (U+{(int)c:X4})" : $"U+{(int)c:X4}";
                return string.Create(CultureInfo.InvariantCulture, $"character {shown} at position {i + 1} is not allowed (allowed: {AllowedCharacters})");
            }
        }

        return null;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '|' or ':' or '+' or '=' or '-';
}
