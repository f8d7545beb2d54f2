using System.Net;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.RateLimiting;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Security;

/// <summary>Counters expire on their own: the daily timer drops day tables whose windows have all ended.</summary>
public sealed class RateLimitCleanupTests(HostFixture fixture)
{
    [Fact]
    public async Task RateLimitCleanup_Run_DropsOldDayTablesAndKeepsToday()
    {
        var store = fixture.Services.GetRequiredService<IRateLimitStore>();
        var storage = fixture.Services.GetRequiredService<StorageClients>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var old = new DateOnly(2020, 1, 1);
        Assert.NotNull(await store.TryCreateAsync(new CounterKey(old, "cleanup-test", "1"), 1, TestContext.Current.CancellationToken));
        await store.TryCreateAsync(new CounterKey(today, "cleanup-test-" + Guid.NewGuid().ToString("N"), "1"), 1, TestContext.Current.CancellationToken);
        Assert.True(await TableExistsAsync(storage, old));

        using var client = fixture.CreateClient();
        using var response = await client.PostAsync("/admin/functions/RateLimitCleanup", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(await TableExistsAsync(storage, old));
        Assert.True(await TableExistsAsync(storage, today));
    }

    private static async Task<bool> TableExistsAsync(StorageClients storage, DateOnly day)
    {
        var name = storage.TableName(TableRateLimitStore.TableLogicalName(day));
        await foreach (var _ in storage.TableService.QueryAsync(TableClient.CreateQueryFilter($"TableName eq {name}"), cancellationToken: TestContext.Current.CancellationToken))
        {
            return true;
        }

        return false;
    }
}
