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

    /// <summary>Validation that needs the environment: it decides whether the development key may be used.</summary>
    public static bool IsValid(AuthOptions options, SecurityEnvironment environment, out string error)
    {
        error = "";
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            error = "Auth:Audience is required.";
        }
        else if (options.ClockSkewSeconds is < 0 or > MaxClockSkewSeconds)
        {
            error = $"Auth:ClockSkewSeconds must be between 0 and {MaxClockSkewSeconds}.";
        }
        else if (options.Authority is { Length: > 0 } authority &&
                 (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps))
        {
            error = "Auth:Authority must be an absolute https URI.";
        }
        else if (environment.IsDevelopment && options.DevelopmentSigningKey is { Length: > 0 } key && !IsStrongKey(key))
        {
            error = "Auth:DevelopmentSigningKey must be base64 of at least 32 bytes.";
        }
        else if (environment.IsDevelopment && !string.IsNullOrWhiteSpace(options.DevelopmentSigningKey) && string.IsNullOrWhiteSpace(options.Issuer))
        {
            error = "Auth:Issuer is required with Auth:DevelopmentSigningKey.";
        }
        else if (string.IsNullOrWhiteSpace(options.Authority) && !(environment.IsDevelopment && !string.IsNullOrWhiteSpace(options.DevelopmentSigningKey)))
        {
            error = environment.IsDevelopment
                ? "Set Auth:Authority or Auth:DevelopmentSigningKey."
                : $"Auth:Authority is required in the {environment.Name} environment (the development key is accepted only in Development).";
        }

        return error.Length == 0;
    }

    public static bool IsStrongKey(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written >= 32;
    }
}
