using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.Csrf;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Security;

/// <summary>Without a configured key (outside Development), every instance must end up with the same stored key.</summary>
public sealed class CsrfKeyProviderTests(HostFixture fixture)
{
    [Fact]
    public async Task LoadOrCreateStoredKey_ConcurrentInstances_AgreeOnOneKey()
    {
        var shared = fixture.Services.GetRequiredService<StorageClients>();
        var prefix = "k" + Guid.NewGuid().ToString("N")[..8];
        var instances = Enumerable.Range(0, 8).Select(_ => new StorageClients(shared.TableService, shared.BlobService, prefix, shared.Declared)).ToArray();

        var keys = await Task.WhenAll(instances.Select(s => CsrfKeyProvider.LoadOrCreateStoredKeyAsync(s, TestContext.Current.CancellationToken)));

        Assert.All(keys, k => Assert.Equal(32, k.Length));
        Assert.Single(keys.Select(Convert.ToBase64String).Distinct());
    }
}
