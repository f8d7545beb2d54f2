using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Storage;

/// <summary>Start-up checks of <c>Storage__*</c>.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SettingErrors(StorageOptions.Section)
            .Require(!string.IsNullOrWhiteSpace(options.Connection), nameof(options.Connection), options.Connection, "name the connection (default AzureWebJobsStorage).")
            .Require(options.TablePrefix.All(char.IsAsciiLetterOrDigit), nameof(options.TablePrefix), options.TablePrefix, "may hold letters and digits only.")
            .Require(options.MaxRetries is >= 0 and <= 10, nameof(options.MaxRetries), options.MaxRetries, "must be between 0 and 10.")
            .Require(options.RetryDelay >= TimeSpan.Zero && options.RetryDelay <= TimeSpan.FromSeconds(10), nameof(options.RetryDelay), options.RetryDelay, "must be between 0 and 10 seconds.")
            .Require(options.MaxRetryDelay >= options.RetryDelay && options.MaxRetryDelay <= TimeSpan.FromMinutes(1), nameof(options.MaxRetryDelay), options.MaxRetryDelay, "must be at least Storage:RetryDelay and at most 1 minute.")
            .Require(options.NetworkTimeout > TimeSpan.Zero && options.NetworkTimeout <= TimeSpan.FromMinutes(5), nameof(options.NetworkTimeout), options.NetworkTimeout, "must be more than 0 and at most 5 minutes.")
            .ToResult();
    }
}
