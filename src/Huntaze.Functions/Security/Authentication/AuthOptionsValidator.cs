using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Authentication;

/// <summary>Start-up checks of <c>Auth__*</c>; the environment decides whether the development key may be used.</summary>
internal sealed class AuthOptionsValidator(SecurityEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var developmentKey = environment.IsDevelopment && !string.IsNullOrWhiteSpace(options.DevelopmentSigningKey);
        return new SettingErrors(AuthOptions.Section)
            .Require(!string.IsNullOrWhiteSpace(options.Audience), nameof(options.Audience), options.Audience, "set the API's application id URI or client id.")
            .Require(options.ClockSkewSeconds is >= 0 and <= AuthOptions.MaxClockSkewSeconds, nameof(options.ClockSkewSeconds), options.ClockSkewSeconds, $"must be between 0 and {AuthOptions.MaxClockSkewSeconds}.")
            .Require(
                options.Authority is not { Length: > 0 } authority || (Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps),
                nameof(options.Authority), options.Authority, "must be an absolute https URI.")
            .RequireSecret(!developmentKey || AuthOptions.IsStrongKey(options.DevelopmentSigningKey!), nameof(options.DevelopmentSigningKey), options.DevelopmentSigningKey, "must be base64 of at least 32 bytes.")
            .Require(!developmentKey || !string.IsNullOrWhiteSpace(options.Issuer), nameof(options.Issuer), options.Issuer, "is required with Auth:DevelopmentSigningKey.")
            .Require(
                !string.IsNullOrWhiteSpace(options.Authority) || developmentKey,
                nameof(options.Authority), options.Authority,
                environment.IsDevelopment
                    ? "set it or Auth:DevelopmentSigningKey."
                    : $"it is required in the {environment.Name} environment (the development key is accepted only in Development).")
            .ToResult();
    }
}
