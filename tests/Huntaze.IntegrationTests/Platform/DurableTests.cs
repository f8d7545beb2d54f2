using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Platform;

public sealed class DurableTests(HostFixture fixture)
{
    [Fact]
    public async Task FanOutOrchestration_StartedOverHttp_SumsActivityResults()
    {
        using var client = fixture.CreateClient();

        using var response = await client.PostAsync("/api/test/fan/10", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Completed", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(385, body.RootElement.GetProperty("sum").GetInt32()); // 1² + … + 10²
    }

    /// <summary>The privacy data map declares the task hub from <see cref="TaskHubOptions.Resources"/>: it must name everything the provider created.</summary>
    [Fact]
    public async Task TaskHubResources_AfterAnOrchestration_DeclareEverythingTheProviderCreated()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = fixture.CreateClient();
        using (var response = await client.PostAsync("/api/test/fan/3", null, ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var hub = fixture.Services.GetRequiredService<IOptions<TaskHubOptions>>().Value;
        var declared = hub.Resources();
        var connection = fixture.Azurite.ConnectionString;
        var tables = new List<string>();
        await foreach (var table in new TableServiceClient(connection).QueryAsync(cancellationToken: ct))
        {
            tables.Add(table.Name);
        }

        var queues = new List<string>();
        await foreach (var queue in new QueueServiceClient(connection).GetQueuesAsync(prefix: hub.HubName.ToLowerInvariant(), cancellationToken: ct))
        {
            queues.Add(queue.Name);
        }

        var containers = new List<string>();
        await foreach (var container in new BlobServiceClient(connection).GetBlobContainersAsync(prefix: hub.HubName.ToLowerInvariant() + "-", cancellationToken: ct))
        {
            containers.Add(container.Name);
        }

        Assert.Equal(declared.Tables.Order(), tables.Where(t => t.StartsWith(hub.HubName, StringComparison.Ordinal)).Order());
        Assert.Equal(declared.Queues.Order(), queues.Order());
        Assert.Empty(containers.Except(declared.Containers));
        Assert.Contains(hub.HubName.ToLowerInvariant() + "-applease", containers);
    }
}
