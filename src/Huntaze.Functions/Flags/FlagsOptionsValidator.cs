using Huntaze.Functions.Flags.AppConfiguration;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Flags;

/// <summary>Start-up checks of <c>Flags__*</c>; each failure names the setting and its value (the connection string's secret is never shown).</summary>
internal sealed class FlagsOptionsValidator : IValidateOptions<FlagsOptions>
{
    private const string AppConfigurationSection = nameof(FlagsOptions.AppConfiguration);

    public ValidateOptionsResult Validate(string? name, FlagsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var app = options.AppConfiguration;
        var errors = new SettingErrors(FlagsOptions.Section)
            .Require(options.SnapshotPollSeconds is > 0 and <= 5, nameof(options.SnapshotPollSeconds), options.SnapshotPollSeconds, "must be more than 0 and at most 5 for the kill switch to bite within 5 s.")
            .Require(options.InitialLoadTimeoutSeconds is > 0 and <= 60, nameof(options.InitialLoadTimeoutSeconds), options.InitialLoadTimeoutSeconds, "must be more than 0 and at most 60: start-up waits this long for the first snapshot.")
            .Require(options.StaleAfterSeconds > options.SnapshotPollSeconds && options.StaleAfterSeconds <= 3600, nameof(options.StaleAfterSeconds), options.StaleAfterSeconds, "must be more than Flags:SnapshotPollSeconds (or every healthy instance reads as stale) and at most 3600.")
            .Require(app.TimeoutSeconds > 0, $"{AppConfigurationSection}:{nameof(app.TimeoutSeconds)}", app.TimeoutSeconds, "must be more than 0.")
            .Require(app.MaxRetries is >= 0 and <= 10, $"{AppConfigurationSection}:{nameof(app.MaxRetries)}", app.MaxRetries, "must be between 0 and 10.")
            .RequireSecret(
                string.IsNullOrWhiteSpace(app.ConnectionString) || IsConnectionString(app.ConnectionString),
                $"{AppConfigurationSection}:{nameof(app.ConnectionString)}", app.ConnectionString, "must have the form Endpoint=…;Id=…;Secret=….")
            .Require(
                app.Endpoint is null || app.Endpoint.OriginalString.Length == 0 || app.Endpoint.IsAbsoluteUri,
                $"{AppConfigurationSection}:{nameof(app.Endpoint)}", app.Endpoint, "must be an absolute URI (https://<name>.azconfig.io).")
            .Require(
                string.IsNullOrWhiteSpace(app.WriterClientId) || Guid.TryParse(app.WriterClientId, out _),
                $"{AppConfigurationSection}:{nameof(app.WriterClientId)}", app.WriterClientId, "must be the client id (a GUID) of the flag-admin identity.");
        for (var i = 0; i < options.ClientFlags.Count; i++)
        {
            errors.Require(FlagDocument.ValidateName(options.ClientFlags[i]) is null, $"{nameof(options.ClientFlags)}:{i}", options.ClientFlags[i], "is not a valid flag name.");
        }

        return errors.ToResult();
    }

    private static bool IsConnectionString(string value)
    {
        try
        {
            AppConfigurationConnectionString.Parse(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
