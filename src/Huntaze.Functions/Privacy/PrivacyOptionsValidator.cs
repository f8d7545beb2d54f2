using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;
using NCrontab;

namespace Huntaze.Functions.Privacy;

/// <summary>Start-up checks of <c>Privacy__*</c>; each failure names the setting and its value (the key only by its length).</summary>
internal sealed class PrivacyOptionsValidator : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var retention = options.Retention;
        return new SettingErrors(PrivacyOptions.Section)
            .RequireSecret(options.PseudonymKey.Length == 0 || IsStrongKey(options.PseudonymKey), nameof(options.PseudonymKey), options.PseudonymKey, "must be empty or base64 of at least 32 bytes.")
            .Require(options.ExportLifetimeDays is >= 1 and <= 30, nameof(options.ExportLifetimeDays), options.ExportLifetimeDays, "must be between 1 and 30.")
            .Require(CrontabSchedule.TryParse(options.RetentionSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is not null, nameof(options.RetentionSchedule), options.RetentionSchedule, "must be a six-field cron expression (seconds first).")
            .Require(options.RetentionBatchSize is >= 1 and <= 100, nameof(options.RetentionBatchSize), options.RetentionBatchSize, "must be between 1 and 100 (one entity-group transaction).")
            .Require(options.ControlsPollSeconds is >= 1 and <= 60, nameof(options.ControlsPollSeconds), options.ControlsPollSeconds, "must be between 1 and 60.")
            .Require(retention.CompletedProgressDays is >= 1 and <= 3650, "Retention:CompletedProgressDays", retention.CompletedProgressDays, "must be between 1 and 3650.")
            .Require(retention.AuditDays is >= 1 and <= 3650, "Retention:AuditDays", retention.AuditDays, "must be between 1 and 3650.")
            .Require(retention.DenialDays is >= 1 and <= 3650, "Retention:DenialDays", retention.DenialDays, "must be between 1 and 3650.")
            .Require(retention.ClosedRequestDays is >= 1 and <= 3650, "Retention:ClosedRequestDays", retention.ClosedRequestDays, "must be between 1 and 3650.")
            .Require(retention.LedgerDays is >= 366 and <= 3650, "Retention:LedgerDays", retention.LedgerDays, "must be between 366 and 3650: longer than the oldest backup tier (12 months).")
            .Require(retention.AnonymousConsentDays is >= 1 and <= 3650, "Retention:AnonymousConsentDays", retention.AnonymousConsentDays, "must be between 1 and 3650.")
            .Require(retention.ErasedConsentDays is >= 1 and <= 3650, "Retention:ErasedConsentDays", retention.ErasedConsentDays, "must be between 1 and 3650.")
            .ToResult();
    }

    private static bool IsStrongKey(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written >= 32;
    }
}
