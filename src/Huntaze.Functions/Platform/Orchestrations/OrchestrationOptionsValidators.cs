using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Orchestrations;

/// <summary>The task hub as both hosts read it (host.json, then <c>AzureFunctionsJobHost__extensions__durableTask__*</c>).</summary>
internal sealed class TaskHubOptionsValidator : IValidateOptions<TaskHubOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storage = options.StorageProvider;
        return new SettingErrors(TaskHubOptions.Section)
            .Require(TaskHubOptions.IsValidHubName(options.HubName), "hubName", options.HubName, "3 to 45 letters and digits, starting with a letter (or set extensions.durableTask.hubName in host.json).")
            .Require(!string.IsNullOrWhiteSpace(storage.ConnectionName), "storageProvider:connectionName", storage.ConnectionName, "name the storage connection (default AzureWebJobsStorage).")
            .Require(storage.PartitionCount is >= 1 and <= 16, "storageProvider:partitionCount", storage.PartitionCount, "must be between 1 and 16.")
            .Require(IsInterval(storage.MaxQueuePollingInterval), "storageProvider:maxQueuePollingInterval", storage.MaxQueuePollingInterval, "must be more than 0 and at most 1 hour.")
            .Require(IsInterval(storage.ControlQueueVisibilityTimeout), "storageProvider:controlQueueVisibilityTimeout", storage.ControlQueueVisibilityTimeout, "must be more than 0 and at most 1 hour.")
            .Require(IsInterval(storage.WorkItemQueueVisibilityTimeout), "storageProvider:workItemQueueVisibilityTimeout", storage.WorkItemQueueVisibilityTimeout, "must be more than 0 and at most 1 hour.")
            .ToResult();
    }

    private static bool IsInterval(TimeSpan value) => value > TimeSpan.Zero && value <= TimeSpan.FromHours(1);
}

internal sealed class OrchestrationOptionsValidator : IValidateOptions<OrchestrationOptions>
{
    public ValidateOptionsResult Validate(string? name, OrchestrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SettingErrors(OrchestrationOptions.Section)
            .Require(options.RetentionDays is >= 1 and <= 3650, nameof(options.RetentionDays), options.RetentionDays, "must be between 1 and 3650 days.")
            .ToResult();
    }
}
