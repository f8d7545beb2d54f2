using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Storage.Blobs;
using Huntaze.Functions.Security.Audit;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Security;

/// <summary>Entries whose details exceed a Table property, and appends whose response is lost.</summary>
public sealed class AuditDetailsTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Patch_FlagToThousandUsers_Answers200AndIsAuditedInFull()
    {
        var prefix = "ad" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?> { ["Storage__TablePrefix"] = prefix });
        using var admin = host.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId("admin"), "FR", ["admin"]));
        var name = "Test." + Guid.NewGuid().ToString("N")[..12];
        var first = Enumerable.Range(0, 1000).Select(i => $"a{i:D4}-{Guid.NewGuid().ToString("N")[..8]}").ToArray();
        var second = Enumerable.Range(0, 1000).Select(i => $"b{i:D4}-{Guid.NewGuid().ToString("N")[..8]}").ToArray();

        foreach (var users in new[] { first, second })
        {
            using var response = await admin.PatchAsync($"/api/admin/feature-flags/{name}", new StringContent(JsonSerializer.Serialize(new { enabled = true, users }), Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var entry = (await AuditTests.QueryAsync(admin, $"/api/admin/audit?target=feature-flag:{name}")).Items.Last();
        var before = entry.GetProperty("details").GetProperty("before").GetString()!;
        var after = entry.GetProperty("details").GetProperty("after").GetString()!;
        Assert.All(first, u => Assert.Contains(u, before, StringComparison.Ordinal));
        Assert.All(second, u => Assert.Contains(u, after, StringComparison.Ordinal));
        // More than a Table string property holds (32,768 UTF-16 characters), as stored.
        Assert.True(AuditChain.SerializeDetails(entry.GetProperty("details").Deserialize<Dictionary<string, string?>>()!).Length > 32_768);
        Assert.True((await AuditTests.VerifyAsync(admin)).GetProperty("valid").GetBoolean());

        // The chain covers the spilled details: altering their blob breaks verification at that entry.
        var container = new BlobContainerClient(fixture.Azurite.ConnectionString, $"{prefix}-{AuditDetailsBlobs.Container}");
        // Both entries spilled (protected ids are longer than the ids); the second one's (before and after) is the larger.
        var blobs = new List<Azure.Storage.Blobs.Models.BlobItem>();
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: Ct))
        {
            blobs.Add(blob);
        }

        foreach (var blob in blobs)
        {
            var text = (await container.GetBlobClient(blob.Name).DownloadContentAsync(Ct)).Value.Content.ToString();
            // Spilled after protection: the blob holds the users' ciphertexts, never their ids.
            Assert.DoesNotContain("b0001-", text, StringComparison.Ordinal);
            Assert.DoesNotContain("a0001-", text, StringComparison.Ordinal);
        }

        var last = blobs.MaxBy(b => b.Properties.ContentLength)!;
        var stored = (await container.GetBlobClient(last.Name).DownloadContentAsync(Ct)).Value.Content.ToString();
        await container.GetBlobClient(last.Name).UploadAsync(BinaryData.FromString(stored.Replace("\"after\"", "\"aftex\"", StringComparison.Ordinal)), overwrite: true, Ct);

        var verification = await AuditTests.VerifyAsync(admin);
        Assert.False(verification.GetProperty("valid").GetBoolean());
        Assert.Equal(entry.GetProperty("sequence").GetInt64(), verification.GetProperty("firstBroken").GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task AppendAsync_ResponseLostAfterCommit_WritesOneEntry()
    {
        var prefix = "al" + Guid.NewGuid().ToString("N")[..8];
        var loseFirstBatchResponse = new LoseResponseAfterCommit(RequestMethod.Post);
        var clients = StorageFaults.Clients(fixture.Azurite.ConnectionString, prefix, loseFirstBatchResponse);
        var log = new TableAuditLog(clients, new UnprotectedAudit(), new AuditDetailsBlobs(clients), Options.Create(new AuditOptions()), TimeProvider.System, NullLogger<TableAuditLog>.Instance);
        await log.AppendAsync(new AuditRecord("admin-1", "test.first", "t", "ok", "c1"), Ct);
        loseFirstBatchResponse.Armed = true;

        await log.AppendAsync(new AuditRecord("admin-1", "test.second", "t", "ok", "c2"), Ct);

        Assert.Equal(2, loseFirstBatchResponse.Attempts);
        var reader = new AuditReader(clients, new UnprotectedAudit(), new AuditDetailsBlobs(clients));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var verification = await reader.VerifyAsync(today.AddDays(-1), today, Ct);
        Assert.True(verification.Valid, verification.FirstBroken?.Reason);
        Assert.Equal(2, verification.EntriesChecked);
    }
}
