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
}
