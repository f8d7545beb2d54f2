using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Health;

/// <summary>Start-up checks of <c>Health__*</c>.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SettingErrors(HealthOptions.Section)
            .Require(options.Timeout > TimeSpan.Zero && options.Timeout <= TimeSpan.FromSeconds(10), nameof(options.Timeout), options.Timeout, "must be more than 0 and at most 10 seconds.")
            .Require(options.CacheFor >= TimeSpan.Zero && options.CacheFor <= TimeSpan.FromSeconds(30), nameof(options.CacheFor), options.CacheFor, "must be between 0 and 30 seconds.")
            .ToResult();
    }
}
