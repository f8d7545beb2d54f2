namespace Huntaze.Functions.Security.Authentication;

/// <summary>Settings under <c>Auth__*</c> (docs/security.md lists them with their defaults).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>RFC 8725 §3.1: the most skew we tolerate on <c>exp</c>/<c>nbf</c>.</summary>
    public const int MaxClockSkewSeconds = 30;

    /// <summary>OpenID Connect authority (e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>); its metadata supplies keys and issuer.</summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c>; when an authority is set and this is empty, the metadata's issuer is used.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c> (the API's application id URI or client id).</summary>
    public string Audience { get; set; } = "";

    /// <summary>Base64 HS256 key (at least 256 bits) accepted only when the environment is Development.</summary>
    public string? DevelopmentSigningKey { get; set; }

    /// <summary>Accepted <c>typ</c> header values (RFC 8725 §3.11, RFC 9068); empty means <see cref="DefaultTokenTypes"/>.</summary>
    /// <remarks>Starts empty because the configuration binder appends to a pre-filled list.</remarks>
    public IList<string> AllowedTokenTypes { get; } = [];

    public static IReadOnlyList<string> DefaultTokenTypes { get; } = ["at+jwt", "JWT"];

    public IReadOnlyList<string> EffectiveTokenTypes => AllowedTokenTypes.Count == 0 ? DefaultTokenTypes : [.. AllowedTokenTypes];

    public int ClockSkewSeconds { get; set; } = MaxClockSkewSeconds;

    public static bool IsStrongKey(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written >= 32;
    }
}
