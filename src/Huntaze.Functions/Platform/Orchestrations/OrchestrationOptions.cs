using System.Globalization;

namespace Huntaze.Functions.Platform.Orchestrations;

/// <summary>Settings under <c>Orchestrations__*</c>: housekeeping of the task hub.</summary>
public sealed class OrchestrationOptions
{
    public const string Section = "Orchestrations";

    /// <summary>
    /// Completed, failed and terminated instances created longer ago than this many days are purged
    /// (history holds inputs and outputs: user ids, export manifests).
    /// </summary>
    public int RetentionDays { get; set; } = 30;

    public IReadOnlyList<string> Validate() =>
        RetentionDays is < 1 or > 3650
            ? [$"Orchestrations__RetentionDays is {RetentionDays.ToString(CultureInfo.InvariantCulture)}: 1 to 3650 days."]
            : [];
}
