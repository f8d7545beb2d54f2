using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Onboarding;

/// <summary>Start-up checks of <c>Onboarding__*</c>; each failure names the setting and its value.</summary>
internal sealed class OnboardingOptionsValidator : IValidateOptions<OnboardingOptions>
{
    public ValidateOptionsResult Validate(string? name, OnboardingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SettingErrors(OnboardingOptions.Section)
            .Require(
                options.TableName.Length is >= 3 and <= 40 && options.TableName.All(char.IsAsciiLetterOrDigit) && char.IsAsciiLetter(options.TableName[0]),
                nameof(options.TableName), options.TableName, "must be 3 to 40 letters and digits, starting with a letter.")
            .Require(options.ConflictRetries is >= 1 and <= 20, nameof(options.ConflictRetries), options.ConflictRetries, "must be between 1 and 20.")
            .Require(options.KillSwitchRetryAfterSeconds is >= 1 and <= 3600, nameof(options.KillSwitchRetryAfterSeconds), options.KillSwitchRetryAfterSeconds, "must be between 1 and 3600.")
            .Require(options.MigrationUsersPerActivity is >= 1 and <= 100_000, nameof(options.MigrationUsersPerActivity), options.MigrationUsersPerActivity, "must be between 1 and 100000.")
            .Require(options.MigrationParallelism is >= 1 and <= 64, nameof(options.MigrationParallelism), options.MigrationParallelism, "must be between 1 and 64.")
            .Require(options.MigrationPagesPerGeneration is >= 1 and <= 1000, nameof(options.MigrationPagesPerGeneration), options.MigrationPagesPerGeneration, "must be between 1 and 1000.")
            .ToResult();
    }
}
