namespace Huntaze.Functions.Platform.Orchestrations;

/// <summary>
/// The Durable task hub, read the way the Functions host reads it: host.json's <c>extensions.durableTask</c>,
/// overridden by app settings <c>AzureFunctionsJobHost__extensions__durableTask__…</c> (the host's own
/// override syntax, so one setting moves both hosts). Both hosts over the same storage and hub see the
/// same instances.
/// </summary>
public sealed class TaskHubOptions
{
    /// <summary>The app-setting section the Functions host overlays on host.json.</summary>
    public const string Section = "AzureFunctionsJobHost:extensions:durableTask";

    /// <summary>The same section inside host.json.</summary>
    public const string HostJsonSection = "extensions:durableTask";

    /// <summary>Letters and digits, starting with a letter, 3 to 45 characters (the Durable extension's rule).</summary>
    public string HubName { get; set; } = "";

    public TaskHubStorageOptions StorageProvider { get; set; } = new();

    /// <summary>The setting name, as an operator writes it, for messages.</summary>
    public static string Setting(string path) => "AzureFunctionsJobHost__extensions__durableTask__" + path.Replace(":", "__", StringComparison.Ordinal);

    public static bool IsValidHubName(string? name) =>
        name is { Length: >= 3 and <= 45 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    /// <summary>The tables, queues and containers the Azure Storage provider creates for this hub (what the privacy data map declares).</summary>
    public TaskHubResources Resources() => TaskHubResources.For(HubName, StorageProvider.PartitionCount);
}

/// <summary>
/// <c>extensions.durableTask.storageProvider</c>: the Azure Storage provider settings both hosts honour. The
/// defaults are the provider's (what Azure runs, host.json sets none of them); local.settings.sample.json
/// tunes them for a developer machine only.
/// </summary>
public sealed class TaskHubStorageOptions
{
    public string ConnectionName { get; set; } = "AzureWebJobsStorage";

    public int PartitionCount { get; set; } = 4;

    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// What a task hub holds in storage: instance and history tables (inputs, outputs, custom status: personal
/// data), the partition lease table, control and work-item queues (messages carry inputs while in flight),
/// lease containers and the large-payload container (inputs and outputs over the queue message size).
/// </summary>
public sealed record TaskHubResources(IReadOnlyList<string> Tables, IReadOnlyList<string> Queues, IReadOnlyList<string> Containers)
{
    public static TaskHubResources For(string hubName, int partitionCount)
    {
        var lower = hubName.ToLowerInvariant();
        return new TaskHubResources(
            [hubName + "Instances", hubName + "History", hubName + "Partitions"],
            [.. Enumerable.Range(0, partitionCount).Select(p => $"{lower}-control-{p:00}"), lower + "-workitems"],
            [lower + "-leases", lower + "-applease", lower + "-largemessages"]);
    }
}
