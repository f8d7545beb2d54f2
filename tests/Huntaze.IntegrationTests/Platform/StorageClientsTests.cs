using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Platform;

public sealed class StorageClientsTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetTableAsync_FirstCallerCancelledWhileCreating_OtherCallerStillGetsTheTable()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new TableClientOptions();
        options.AddPolicy(new GatePolicy(gate.Task), HttpPipelinePosition.PerCall);
        var storage = new StorageClients(new TableServiceClient(fixture.Azurite.ConnectionString, options), new BlobServiceClient(fixture.Azurite.ConnectionString), "gate" + Guid.NewGuid().ToString("N")[..8], DataMap.Create());
        using var firstCaller = new CancellationTokenSource();

        var first = storage.GetTableAsync("audit", firstCaller.Token);   // starts the creation, held at the gate
        var second = storage.GetTableAsync("audit", Ct);                 // joins the same creation
        await firstCaller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        gate.SetResult();

        var table = await second;
        await table.AddEntityAsync(new TableEntity("p", "r"), Ct);
    }

    [Fact]
    public async Task GetTableAsync_TableNotInDataMap_RefusedNamingItAndNothingCreated()
    {
        var storage = Storage();

        var refused = await Assert.ThrowsAsync<UndeclaredStoreException>(() => storage.GetTableAsync("Scratch", Ct));

        Assert.Contains("table 'Scratch'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("HuntazeDataMap.cs", refused.Message, StringComparison.Ordinal);
        var tables = new List<string>();
        await foreach (var item in storage.TableService.QueryAsync(TableClient.CreateQueryFilter($"TableName eq {storage.TableName("Scratch")}"), cancellationToken: Ct))
        {
            tables.Add(item.Name);
        }

        Assert.Empty(tables);
    }

    [Fact]
    public async Task GetContainerAsync_ContainerNotInDataMap_RefusedNamingIt()
    {
        var refused = await Assert.ThrowsAsync<UndeclaredStoreException>(() => Storage().GetContainerAsync("scratch", Ct));

        Assert.Contains("blob container 'scratch'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTableAsync_MemberOfDeclaredFamily_Opens()
    {
        var table = await Storage().GetTableAsync("ratelimits20261201", Ct);

        await table.AddEntityAsync(new TableEntity("p", "r"), Ct);
    }

    private StorageClients Storage() => new(
        new TableServiceClient(fixture.Azurite.ConnectionString), new BlobServiceClient(fixture.Azurite.ConnectionString), "dm" + Guid.NewGuid().ToString("N")[..8], DataMap.Create());

    /// <summary>Holds every request until the gate opens (honouring the request's own cancellation).</summary>
    private sealed class GatePolicy(Task gate) : HttpPipelinePolicy
    {
        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await gate.WaitAsync(message.CancellationToken);
            await ProcessNextAsync(message, pipeline);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            gate.Wait(message.CancellationToken);
            ProcessNext(message, pipeline);
        }
    }
}
