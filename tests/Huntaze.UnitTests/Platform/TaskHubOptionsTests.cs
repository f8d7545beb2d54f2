using DurableTask.AzureStorage;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.LocalHost.Durable;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Huntaze.UnitTests.Platform;

/// <summary>The task hub as both hosts read it: host.json's extensions.durableTask, overridden by the host's own app settings.</summary>
public sealed class TaskHubOptionsTests
{
    [Fact]
    public void Resolve_HostJsonOnly_HubFromHostJsonAndTheProviderDefaultsAzureRuns()
    {
        var hub = Resolve([]);

        Assert.Equal("HuntazeOnboarding", hub.HubName);
        Assert.Equal("AzureWebJobsStorage", hub.StorageProvider.ConnectionName);
        var provider = AzureStorageSidecar.CreateSettings(hub, "UseDevelopmentStorage=true", NullLoggerFactory.Instance);
        var defaults = new AzureStorageOrchestrationServiceSettings();
        Assert.Equal(
            (defaults.PartitionCount, defaults.MaxQueuePollingInterval, defaults.ControlQueueVisibilityTimeout, defaults.WorkItemQueueVisibilityTimeout),
            (provider.PartitionCount, provider.MaxQueuePollingInterval, provider.ControlQueueVisibilityTimeout, provider.WorkItemQueueVisibilityTimeout));
    }

    [Fact]
    public void Resolve_OverrideSettings_WinOverHostJson()
    {
        var hub = Resolve(new()
        {
            ["AzureFunctionsJobHost:extensions:durableTask:hubName"] = "Other1",
            ["AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount"] = "1",
            ["AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval"] = "00:00:00.100",
        });

        Assert.Equal(("Other1", 1, TimeSpan.FromMilliseconds(100)), (hub.HubName, hub.StorageProvider.PartitionCount, hub.StorageProvider.MaxQueuePollingInterval));
    }

    [Fact]
    public void Resources_OnePartition_NamesWhatTheProviderCreates()
    {
        var resources = TaskHubResources.For("MyHub", 1);

        Assert.Equal(["MyHubInstances", "MyHubHistory", "MyHubPartitions"], resources.Tables);
        Assert.Equal(["myhub-control-00", "myhub-workitems"], resources.Queues);
        Assert.Equal(["myhub-leases", "myhub-applease", "myhub-largemessages"], resources.Containers);
    }

    private static TaskHubOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddOrchestrations().BuildServiceProvider();
        return services.GetRequiredService<IOptions<TaskHubOptions>>().Value;
    }
}
