using Huntaze.Functions.Platform.Storage;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Platform;

public sealed class StorageClientsTests(HostFixture fixture)
{
    [Fact]
    public async Task GetTableAsync_FirstCallerCancelled_OtherCallersStillGetTheTable()
    {
        var storage = fixture.Services.GetRequiredService<StorageClients>();
        var name = "shared" + Guid.NewGuid().ToString("N")[..8];
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var first = storage.GetTableAsync(name, cancelled.Token);
        var second = storage.GetTableAsync(name, TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var table = await second;
        await table.AddEntityAsync(new Azure.Data.Tables.TableEntity("p", "r"), TestContext.Current.CancellationToken);
    }
}
