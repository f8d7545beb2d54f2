using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.RateLimiting;

/// <summary>Start-up checks of <c>RateLimits__{policy}__*</c>, per policy.</summary>
internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public const int MaxWindowSeconds = 31 * 86_400;

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new SettingErrors(RateLimitOptions.Section);
        foreach (var (policy, settings) in options.Policies)
        {
            errors
                .Require(settings.Limit >= 1, $"{policy}:{nameof(settings.Limit)}", settings.Limit, "must be at least 1.")
                .Require(settings.WindowSeconds is >= 1 and <= MaxWindowSeconds, $"{policy}:{nameof(settings.WindowSeconds)}", settings.WindowSeconds, $"must be between 1 and {MaxWindowSeconds}.")
                .Require(
                    settings.ReservationSize is null || (settings.ReservationSize >= 1 && settings.ReservationSize <= settings.Limit),
                    $"{policy}:{nameof(settings.ReservationSize)}", settings.ReservationSize, $"must be between 1 and the policy's Limit ({settings.Limit}), or unset.")
                .Require(
                    settings.MaxReservationSize is null || (settings.MaxReservationSize >= settings.EffectiveReservationSize && settings.MaxReservationSize <= settings.Limit),
                    $"{policy}:{nameof(settings.MaxReservationSize)}", settings.MaxReservationSize, $"must be between the policy's reservation ({settings.EffectiveReservationSize}) and its Limit ({settings.Limit}), or unset.");
        }

        return errors.ToResult();
    }
}
