using Huntaze.Functions.Security.RateLimiting;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Security;

/// <summary>The ETags the store hands back are the counter's real ones: the limiter's write hint relies on it.</summary>
public sealed class TableRateLimitStoreTests(HostFixture fixture)
{
    [Fact]
    public async Task TryReplaceAsync_ETagReturnedByLastWrite_CommitsAndStaleOneLoses()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = fixture.Services.GetRequiredService<IRateLimitStore>();
        var key = new CounterKey(DateOnly.FromDateTime(DateTime.UtcNow), "etag-" + Guid.NewGuid().ToString("N"), "1");

        var created = await store.TryCreateAsync(key, 1, ct);
        var replaced = await store.TryReplaceAsync(key, 2, created!, ct);
        var stale = await store.TryReplaceAsync(key, 3, created!, ct);

        Assert.False(string.IsNullOrEmpty(created));
        Assert.False(string.IsNullOrEmpty(replaced));
        Assert.Null(stale);
        Assert.Equal(2, (await store.GetAsync(key, ct))!.Value.Count);
        Assert.Equal(replaced, (await store.GetAsync(key, ct))!.Value.ETag);
    }
}
