using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Privacy.Consent;

/// <summary>
/// The anonymous consent id before sign-in: 128 random bits, hex, in a first-party cookie that scripts cannot
/// read (<c>HttpOnly</c>), sent on same-site requests and top-level navigations only (<c>SameSite=Lax</c>), and
/// pinned to this host (<c>__Host-</c>: Secure, Path=/, no Domain, so a sibling subdomain cannot plant one).
/// The id is issued by the API with the visitor's first choice, never before.
/// </summary>
public static partial class ConsentCookie
{
    public const string Name = "__Host-huntaze-consent";
    public const string Attributes = "Secure; HttpOnly; SameSite=Lax; Path=/";

    /// <summary>What the request carries: nothing, or a value and whether it is well-formed.</summary>
    public static (bool Present, string? Id) Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Cookies.TryGetValue(Name, out var value) || string.IsNullOrEmpty(value))
        {
            return (false, null);
        }

        return (true, IdPattern().IsMatch(value) ? value : null);
    }

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Issue(string id, int days) =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}={id}; Max-Age={days * 86_400}; {Attributes}");

    public static string Clear() => $"{Name}=; Max-Age=0; {Attributes}";

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
