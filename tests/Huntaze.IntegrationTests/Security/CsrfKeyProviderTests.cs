using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.Csrf;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Security;

/// <summary>The CSRF key: one stored key for all instances, and a key too short to use stops the app at start.</summary>
public sealed class CsrfKeyProviderTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoadOrCreateStoredKey_ConcurrentInstances_AgreeOnOneKey()
    {
        var shared = fixture.Services.GetRequiredService<StorageClients>();
        var prefix = "k" + Guid.NewGuid().ToString("N")[..8];
        var instances = Enumerable.Range(0, 8).Select(_ => new StorageClients(shared.TableService, shared.BlobService, prefix, shared.Declared)).ToArray();

        var keys = await Task.WhenAll(instances.Select(s => CsrfKeyProvider.LoadOrCreateStoredKeyAsync(s, Ct)));

        Assert.All(keys, k => Assert.Equal(32, k.Length));
        Assert.Single(keys.Select(Convert.ToBase64String).Distinct());
    }

    [Fact]
    public async Task Start_ConfiguredKeyShorterThan32Bytes_StopsNamingTheSetting()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => fixture.StartSecondHostAsync(new Dictionary<string, string?>
        {
            ["Security__CsrfSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
        }));

        Assert.Contains("Security:CsrfSigningKey is a secret of 24 characters (not shown); must be base64 of at least 32 bytes", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_StoredKeyShorterThan32Bytes_StopsNamingTheSettingAndTheBlob()
    {
        // Outside Development with no configured key, the stored key is the one used.
        var prefix = "ck" + Guid.NewGuid().ToString("N")[..8];
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, $"{prefix}-{CsrfKeyProvider.Container}");
        await container.CreateIfNotExistsAsync(cancellationToken: Ct);
        await container.GetBlobClient(CsrfKeyProvider.BlobName).UploadAsync(BinaryData.FromBytes(RandomNumberGenerator.GetBytes(16)), Ct);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => fixture.StartSecondHostAsync(new Dictionary<string, string?>
        {
            ["Storage__TablePrefix"] = prefix,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
            ["Auth__Authority"] = "https://login.example.invalid/tenant/v2.0",
        }));

        var message = failure.ToString();
        Assert.Contains("Security:CsrfSigningKey", message, StringComparison.Ordinal);
        Assert.Contains($"'{CsrfKeyProvider.Container}/{CsrfKeyProvider.BlobName}'", message, StringComparison.Ordinal);
        Assert.Contains("is 16 bytes", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CookiePost_BlankConfiguredKey_TreatedAsUnsetNot500()
    {
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?> { ["Security__CsrfSigningKey"] = "   " });
        using var client = host.CreateClient();
        var session = HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["user"]);
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, "/api/csrf");
        tokenRequest.Headers.Add("Cookie", "__Host-huntaze-session=" + session);
        using var tokenResponse = await client.SendAsync(tokenRequest, Ct);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        using var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync(Ct));

        using var write = new HttpRequestMessage(HttpMethod.Post, "/api/test/step-write") { Content = JsonContent.Create(new { }) };
        write.Headers.Add("Cookie", "__Host-huntaze-session=" + session);
        write.Headers.Add("Origin", HostFixture.AllowedOrigin);
        write.Headers.Add("X-CSRF-Token", token.RootElement.GetProperty("token").GetString());
        using var response = await client.SendAsync(write, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
