using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Huntaze.Functions.Platform.Storage;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Platform;

public sealed class StorageClientsTests(HostFixture fixture)
{
    [Fact]
    public async Task GetTableAsync_FirstCallerCancelledWhileCreating_OtherCallerStillGetsTheTable()
    {
        var ct = TestContext.Current.CancellationToken;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new TableClientOptions();
        options.AddPolicy(new GatePolicy(gate.Task), HttpPipelinePosition.PerCall);
        var storage = new StorageClients(new TableServiceClient(fixture.Azurite.ConnectionString, options), new BlobServiceClient(fixture.Azurite.ConnectionString), "gate");
        var name = "shared" + Guid.NewGuid().ToString("N")[..8];
        using var firstCaller = new CancellationTokenSource();

        var first = storage.GetTableAsync(name, firstCaller.Token);   // starts the creation, held at the gate
        var second = storage.GetTableAsync(name, ct);                 // joins the same creation
        await firstCaller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        gate.SetResult();

        var table = await second;
        await table.AddEntityAsync(new TableEntity("p", "r"), ct);
    }

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
