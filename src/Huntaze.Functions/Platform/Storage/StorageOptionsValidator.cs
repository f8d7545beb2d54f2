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
            .ToResult();
    }
}
