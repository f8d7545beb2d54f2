using System.Text.RegularExpressions;
using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy.Consent;

/// <summary>Start-up checks of <c>Consent__*</c>; each failure names the setting and its value.</summary>
internal sealed partial class ConsentOptionsValidator : IValidateOptions<ConsentOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new SettingErrors(ConsentOptions.Section)
            .Require(options.CookieDays is >= 1 and <= 395, nameof(options.CookieDays), options.CookieDays, "must be between 1 and 395 (13 months at most).")
            .Require(options.CacheSeconds is >= 0 and <= 60, nameof(options.CacheSeconds), options.CacheSeconds, "must be between 0 and 60.");
        for (var i = 0; i < options.Policies.Count; i++)
        {
            var version = options.Policies[i].Version;
            errors.Require(VersionPattern().IsMatch(version), $"Policies:{i}:Version", version, "must be 1 to 32 letters, digits, '.', '-' or '_'.")
                .Require(options.Policies.Take(i).All(p => p.Version != version), $"Policies:{i}:Version", version, "is declared twice.");
        }

        return errors.ToResult();
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
