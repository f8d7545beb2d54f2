using System.Globalization;
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

/// <summary>Each failure names the setting and the value it had.</summary>
internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        var failures = new List<string>();
        Check(failures, nameof(AuditOptions.RetryAfterSeconds), options.RetryAfterSeconds, 1, 300);
        Check(failures, nameof(AuditOptions.DenialFlushSeconds), options.DenialFlushSeconds, 1, 60);
        Check(failures, nameof(AuditOptions.DenialClientsPerMinute), options.DenialClientsPerMinute, 1, 100_000);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{AuditOptions.Section}:{setting} is {value}; it must be between {min} and {max}."));
        }
    }
}
