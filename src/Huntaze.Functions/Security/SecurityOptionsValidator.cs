using Huntaze.Functions.Platform.Configuration;
using Huntaze.Functions.Security.Authentication;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security;

/// <summary>Origins must be exact; a configured CSRF key must be strong (absent, <see cref="Csrf.CsrfKeyProvider"/> supplies one).</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new SettingErrors(SecurityOptions.Section);
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            errors.Require(
                SecurityOptions.IsValidOrigin(options.AllowedOrigins[i]), $"{nameof(options.AllowedOrigins)}:{i}", options.AllowedOrigins[i],
                "must be an absolute http(s) origin without path, query or wildcard.");
        }

        return errors
            .RequireSecret(
                string.IsNullOrWhiteSpace(options.CsrfSigningKey) || AuthOptions.IsStrongKey(options.CsrfSigningKey),
                nameof(options.CsrfSigningKey), options.CsrfSigningKey, "must be base64 of at least 32 bytes.")
            .ToResult();
    }
}
