using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Audit;

/// <summary>Settings under <c>Audit__*</c> (README and docs/security.md list them with their defaults).</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary><c>Retry-After</c> (seconds) of the 503 answered when the audit log cannot be written, 1..300.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>How often each instance writes its aggregated denials (401/403) to the denial stream, 1..60 s.</summary>
    public int DenialFlushSeconds { get; set; } = 10;

    /// <summary>Distinct clients per minute per instance with a denial row of their own; the rest share the overflow row, 1..100,000.</summary>
    public int DenialClientsPerMinute { get; set; } = 500;
}

internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SettingErrors(AuditOptions.Section)
            .Require(options.RetryAfterSeconds is >= 1 and <= 300, nameof(options.RetryAfterSeconds), options.RetryAfterSeconds, "must be between 1 and 300.")
            .Require(options.DenialFlushSeconds is >= 1 and <= 60, nameof(options.DenialFlushSeconds), options.DenialFlushSeconds, "must be between 1 and 60.")
            .Require(options.DenialClientsPerMinute is >= 1 and <= 100_000, nameof(options.DenialClientsPerMinute), options.DenialClientsPerMinute, "must be between 1 and 100000.")
            .ToResult();
    }
}
