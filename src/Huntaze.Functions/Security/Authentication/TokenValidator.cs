using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Huntaze.Functions.Security.Authentication;

/// <summary>
/// The outcome of validating a token: a caller, or the reason it was refused. <see cref="Failure"/> is for
/// logs and the audit only; <see cref="Disclosable"/> is set only for a token whose signature and claims
/// were valid but whose content we cannot use (its holder already knows what it says), and may be shown.
/// </summary>
public sealed record TokenValidation(Caller? Caller, string? Failure, string? Disclosable = null)
{
    public bool IsValid => Caller is not null;

    /// <summary>For a valid token, what a CSRF token is bound to: a digest of the credential, never the credential.</summary>
    public string? SessionBinding { get; init; }

    public static TokenValidation Fail(string reason) => new(null, reason);
}

/// <summary>
/// Validates access tokens per RFC 8725 and OWASP ASVS V9. The algorithm is pinned per key family before
/// any key is tried: HS256 only against the development key (and only in Development), RS256/ES256 only
/// against the OpenID Connect keys, so neither <c>none</c> nor an HS/RS confusion can reach a key.
/// </summary>
public sealed partial class TokenValidator
{
    private static readonly string[] AsymmetricAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];
    private static readonly string[] SymmetricAlgorithms = [SecurityAlgorithms.HmacSha256];

    private readonly AuthOptions _options;
    private readonly SymmetricSecurityKey? _developmentKey;
    private readonly IConfigurationManager<OpenIdConnectConfiguration>? _metadata;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters? _developmentParameters;
    private readonly ValidatedTokens _validated;
    private MetadataParameters? _metadataParameters;

    /// <param name="options">Validated <see cref="AuthOptions"/>.</param>
    /// <param name="developmentKeyAllowed">True only in the Development environment.</param>
    /// <param name="metadata">OpenID Connect metadata (keys, issuer) when an authority is configured.</param>
    /// <param name="time">The clock used for <c>exp</c>/<c>nbf</c>.</param>
    public TokenValidator(AuthOptions options, bool developmentKeyAllowed, IConfigurationManager<OpenIdConnectConfiguration>? metadata, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _metadata = metadata;
        _time = time;
        _validated = new ValidatedTokens(time);
        if (developmentKeyAllowed && !string.IsNullOrWhiteSpace(options.DevelopmentSigningKey))
        {
            _developmentKey = new SymmetricSecurityKey(Convert.FromBase64String(options.DevelopmentSigningKey)) { KeyId = null };
            _developmentParameters = Parameters(SymmetricAlgorithms, [_developmentKey], options.Issuer!);
        }
    }

    /// <summary>
    /// What validating <paramref name="token"/> gave lately, if it was valid and still is: a caller's next requests
    /// need no parse, signature or claims check (<see cref="ValidatedTokens"/>), nor a copy of the token.
    /// </summary>
    public bool TryGetValidated(ReadOnlySpan<char> token, out TokenValidation validation) => _validated.TryGet(token, out validation);

    public async Task<TokenValidation> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 16 * 1024)
        {
            return TokenValidation.Fail("malformed");
        }

        if (_validated.TryGet(token, out var known))
        {
            return known;
        }

        if (!_handler.CanReadToken(token))
        {
            return TokenValidation.Fail("malformed");
        }

        // Parsed once: the algorithm is read from it and the same token is validated.
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return TokenValidation.Fail("malformed");
        }

        var algorithm = jwt.Alg ?? "";
        TokenValidationResult result;
        if (SymmetricAlgorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            if (_developmentParameters is null)
            {
                return TokenValidation.Fail($"algorithm {algorithm} not accepted");
            }

            result = await _handler.ValidateTokenAsync(jwt, _developmentParameters).ConfigureAwait(false);
        }
        else if (AsymmetricAlgorithms.Contains(algorithm, StringComparer.Ordinal) && _metadata is not null)
        {
            result = await ValidateWithMetadataAsync(jwt, refresh: false, cancellationToken).ConfigureAwait(false);
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
            {
                // Keys rotate: fetch the metadata again once (the manager rate-limits refreshes).
                result = await ValidateWithMetadataAsync(jwt, refresh: true, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            return TokenValidation.Fail($"algorithm '{algorithm}' not accepted");
        }

        var validation = ToValidation(result);
        if (validation.IsValid)
        {
            validation = validation with { SessionBinding = AuthenticationStep.Bind(token) };
            _validated.Add(token, validation, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + Skew);
        }

        return validation;
    }

    private TimeSpan Skew => TimeSpan.FromSeconds(Math.Min(_options.ClockSkewSeconds, AuthOptions.MaxClockSkewSeconds));

    private async Task<TokenValidationResult> ValidateWithMetadataAsync(JsonWebToken token, bool refresh, CancellationToken cancellationToken)
    {
        if (refresh)
        {
            _metadata!.RequestRefresh();
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _metadata!.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (!cancellationToken.IsCancellationRequested)
        {
            // The manager wraps retrieval failures (network, bad document); without keys nobody can be
            // authenticated, which is an outage of the identity provider, not the caller's fault.
            throw Platform.Http.Problems.DependencyUnavailable("The identity provider's signing keys cannot be retrieved.", TimeSpan.FromSeconds(5));
        }
        var issuer = string.IsNullOrWhiteSpace(_options.Issuer) ? configuration.Issuer : _options.Issuer;
        // Metadata keys arrive as RSA, EC or X.509 (Entra publishes x5c) keys. A symmetric key published there
        // can never verify anything: only RS256/ES256 are valid here, and HS256 never reaches the metadata.
        // The parameters follow the configuration the manager hands out (a new object after each refresh).
        var current = Volatile.Read(ref _metadataParameters);
        if (current is null || !ReferenceEquals(current.Configuration, configuration))
        {
            current = new MetadataParameters(configuration, Parameters(AsymmetricAlgorithms, configuration.SigningKeys, issuer));
            Volatile.Write(ref _metadataParameters, current);
        }

        return await _handler.ValidateTokenAsync(token, current.Parameters).ConfigureAwait(false);
    }

    private TokenValidationParameters Parameters(string[] algorithms, IEnumerable<SecurityKey> keys, string issuer) => new()
    {
        ValidAlgorithms = algorithms,
        IssuerSigningKeys = keys,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        ValidateIssuer = true,
        ValidIssuer = issuer,
        ValidateAudience = true,
        ValidAudience = _options.Audience,
        RequireAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = Skew,
        ValidTypes = _options.EffectiveTokenTypes,
        LifetimeValidator = ValidateLifetime,
        TryAllIssuerSigningKeys = true,
    };

    /// <summary><c>exp</c> required; <c>exp</c>/<c>nbf</c> checked on the injected clock with the bounded skew.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var skew = parameters.ClockSkew;
        return expires is { } exp
            && now < exp.ToUniversalTime() + skew
            && (notBefore is not { } nbf || (nbf.ToUniversalTime() - skew <= now && nbf < exp));
    }

    private static TokenValidation ToValidation(TokenValidationResult result)
    {
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return TokenValidation.Fail(result.Exception?.GetType().Name ?? "invalid");
        }

        // The subject becomes a partition key and a path segment of the admin API: a signed token does not
        // make '/', '#', control characters or a 10 KB id acceptable there.
        var subject = jwt.Subject;
        if (UserIds.Explain(subject) is { } unusable)
        {
            var reason = $"The token's subject ('sub') is not a usable user id: {unusable}.";
            return new TokenValidation(null, reason, reason);
        }

        // Unknown roles are dropped: a token cannot invent privileges the API does not define.
        var roles = jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value)
            .Where(r => Roles.All.Contains(r, StringComparer.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var market = jwt.TryGetPayloadValue<string>("market", out var m) && MarketPattern().IsMatch(m) ? m : null;
        return new TokenValidation(new Caller(subject, roles, market, CredentialKind.Bearer), null);
    }

    [GeneratedRegex("^[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex MarketPattern();

    private sealed record MetadataParameters(OpenIdConnectConfiguration Configuration, TokenValidationParameters Parameters);
}
