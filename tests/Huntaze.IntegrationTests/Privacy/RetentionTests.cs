using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Security.Audit;
using Huntaze.Functions.Security.Audit.Denials;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// Retention on a host of its own (own prefix): rows on both sides of every period are arranged directly
/// in storage; the preview lists exactly the expired ones and writes nothing; the timer, run through the
/// local host's admin endpoint, removes exactly what the preview listed.
/// </summary>
public sealed class RetentionTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Retention_ExpiredAndCurrentRows_PreviewListsExactlyTheExpiredAndTheRunRemovesExactlyThose()
    {
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?> { ["Storage__TablePrefix"] = "ret" + Guid.NewGuid().ToString("N")[..8] });
        var storage = host.Services.GetRequiredService<StorageClients>();
        var now = DateTimeOffset.UtcNow;
        var expected = await ArrangeAsync(storage, now);
        using var dpo = new PrivacyApi(host).Dpo();

        var preview = await PreviewAsync(dpo);
        var previewAgain = await PreviewAsync(dpo);

        Assert.Equal(expected, Only(preview, expected.Keys));
        Assert.Equal(Only(preview, expected.Keys), Only(previewAgain, expected.Keys)); // the preview changed nothing

        using var client = host.CreateClient();
        using (var run = await client.PostAsync("/admin/functions/PrivacyRetention", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        }

        var after = await PreviewAsync(dpo);
        Assert.All(expected.Keys, store => Assert.Empty(after[store]));
        Assert.Equal(Kept(DenialStore.PartitionFor(now.AddDays(-10))), await RemainingAsync(storage));
    }

    private static Dictionary<string, string[]> Only(Dictionary<string, string[]> plan, IEnumerable<string> stores) =>
        stores.ToDictionary(s => s, s => plan[s]);

    private static async Task<Dictionary<string, string[]>> PreviewAsync(HttpClient dpo)
    {
        using var response = await dpo.GetAsync("/api/admin/privacy/retention/preview", Ct);
        var body = await PrivacyApi.JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.True(body.GetProperty("nextRunAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        return body.GetProperty("stores").EnumerateArray().ToDictionary(
            s => s.GetProperty("store").GetString()!,
            s => s.GetProperty("items").EnumerateArray().Select(i => i.GetString()!).Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>One expired and one current item per rule; returns the expired ones per store.</summary>
    private static async Task<Dictionary<string, string[]>> ArrangeAsync(StorageClients storage, DateTimeOffset now)
    {
        var progress = await storage.GetTableAsync(HuntazeDataMap.OnboardingProgress, Ct);
        await progress.AddEntityAsync(new TableEntity("old-done", "guide:old-done") { ["Revision"] = 2, ["CompletedAt"] = now.AddDays(-800), ["Step_creator_assessment"] = "{\"status\":\"Completed\",\"revision\":1}", ["WriteId"] = "w" }, Ct);
        await progress.AddEntityAsync(new TableEntity("recent-done", "guide:recent-done") { ["Revision"] = 2, ["CompletedAt"] = now.AddDays(-100), ["WriteId"] = "w" }, Ct);
        await progress.AddEntityAsync(new TableEntity("never-done", "guide:never-done") { ["Revision"] = 1, ["WriteId"] = "w" }, Ct);

        var exports = await storage.GetContainerAsync(PrivacyStores.Exports, Ct);
        foreach (var (name, expires) in new[] { ("expired/export.zip", now.AddHours(-1)), ("current/export.zip", now.AddDays(1)) })
        {
            await exports.GetBlobClient(name).UploadAsync(BinaryData.FromString("zip"), new BlobUploadOptions
            {
                Metadata = new Dictionary<string, string> { ["expiresat"] = expires.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
            }, Ct);
        }

        var requests = await storage.GetTableAsync(PrivacyStores.Requests, Ct);
        var (oldRequest, newRequest) = (RequestId(), RequestId());
        await requests.AddEntityAsync(Request(oldRequest, "completed", now.AddDays(-1200)), Ct);
        await requests.AddEntityAsync(Request(newRequest, "completed", now.AddDays(-30)), Ct);

        var ledger = await storage.GetTableAsync(PrivacyStores.Ledger, Ct);
        await ledger.AddEntityAsync(new TableEntity("ledger", "sold_r1") { ["SubjectRef"] = "sold", ["ErasedAt"] = now.AddDays(-500), ["RequestId"] = "r1" }, Ct);
        await ledger.AddEntityAsync(new TableEntity("ledger", "snew_r2") { ["SubjectRef"] = "snew", ["ErasedAt"] = now.AddDays(-10), ["RequestId"] = "r2" }, Ct);

        var audit = await storage.GetTableAsync("audit", Ct);
        var oldDay = now.AddDays(-1200).UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        await audit.AddEntityAsync(new TableEntity(oldDay, "000000000001") { ["Action"] = "old", ["DetailsBlob"] = "old.json" }, Ct);
        var details = await storage.GetContainerAsync(AuditDetailsBlobs.Container, Ct);
        await details.GetBlobClient("old.json").UploadAsync(BinaryData.FromString("{}"), Ct);
        await details.GetBlobClient("current.json").UploadAsync(BinaryData.FromString("{}"), Ct);

        // The denial stream: minutes older than 90 days go, younger ones stay.
        var denials = await storage.GetTableAsync(DenialStore.TableName, Ct);
        var (oldMinute, recentMinute) = (DenialStore.PartitionFor(now.AddDays(-100)), DenialStore.PartitionFor(now.AddDays(-10)));
        await denials.AddEntityAsync(new TableEntity(oldMinute, "c-i") { ["Client"] = "ip:203.0.113.7", ["Total"] = 1L }, Ct);
        await denials.AddEntityAsync(new TableEntity(recentMinute, "c-i") { ["Client"] = "ip:203.0.113.7", ["Total"] = 1L }, Ct);
        await audit.AddEntityAsync(new TableEntity(oldDay, "~head") { ["Sequence"] = 1L, ["Hash"] = "h" }, Ct);

        var anonymous = await storage.GetTableAsync(ConsentStore.AnonymousTable, Ct);
        await anonymous.AddEntityAsync(ConsentRow("idlevisitor", 1, now.AddDays(-400)), Ct);
        await anonymous.AddEntityAsync(ConsentRow("activevisitor", 1, now.AddDays(-400)), Ct);
        await anonymous.AddEntityAsync(ConsentRow("activevisitor", 2, now.AddDays(-10)), Ct);
        var consent = await storage.GetTableAsync(ConsentStore.UserTable, Ct);
        var erasedLongAgo = ConsentRow("sold", 1, now.AddDays(-1500));
        erasedLongAgo["ErasedAt"] = now.AddDays(-1100);
        var erasedRecently = ConsentRow("snew", 1, now.AddDays(-200));
        erasedRecently["ErasedAt"] = now.AddDays(-10);
        var live = ConsentRow("slive", 1, now.AddDays(-2000));
        live["UserId"] = "someone";
        foreach (var row in new[] { erasedLongAgo, erasedRecently, live })
        {
            await consent.AddEntityAsync(row, Ct);
        }

        return new Dictionary<string, string[]>
        {
            [ConsentStore.AnonymousTable] = ["idlevisitor"],
            [ConsentStore.UserTable] = ["sold/" + erasedLongAgo.RowKey],
            [HuntazeDataMap.OnboardingProgress] = ["old-done"],
            ["blob:" + PrivacyStores.Exports] = ["expired/export.zip"],
            [PrivacyStores.Requests] = [oldRequest],
            [PrivacyStores.Ledger] = ["sold_r1"],
            ["audit"] = [oldDay],
            [DenialStore.TableName] = [oldMinute],
        };

        static TableEntity ConsentRow(string partition, int seq, DateTimeOffset at) =>
            new(partition, "r" + (9_999_999_999 - seq).ToString("D10", System.Globalization.CultureInfo.InvariantCulture))
            {
                ["Seq"] = seq, ["Analytics"] = true, ["Marketing"] = false, ["Personalization"] = false, ["PolicyVersion"] = "2026-12-01", ["Source"] = "banner", ["RecordedAt"] = at,
            };

        static TableEntity Request(string id, string status, DateTimeOffset closed) =>
            new(id[..33], id) { ["Type"] = "access", ["Status"] = status, ["OpenedAt"] = closed.AddDays(-1), ["ClosedAt"] = closed, ["DueAt"] = closed.AddMonths(1) };
    }

    private static string RequestId() => "s" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    private static string[] Kept(string recentMinute) =>
        ["blob:current/export.zip", "consent:slive", "consent:snew", "consentanonymous:activevisitor", "denials:" + recentMinute, "details:current.json", "ledger:snew_r2", "progress:never-done", "progress:recent-done", "requests:1"];

    /// <summary>What is left of the arranged rows (the run's own audit entry is today's, not counted).</summary>
    private static async Task<string[]> RemainingAsync(StorageClients storage)
    {
        var left = new List<string>();
        await foreach (var row in (await storage.GetTableAsync(HuntazeDataMap.OnboardingProgress, Ct)).QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            left.Add("progress:" + row.PartitionKey);
        }

        await foreach (var row in (await storage.GetTableAsync(PrivacyStores.Ledger, Ct)).QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            left.Add("ledger:" + row.RowKey);
        }

        foreach (var table in new[] { ConsentStore.UserTable, ConsentStore.AnonymousTable })
        {
            await foreach (var row in (await storage.GetTableAsync(table, Ct)).QueryAsync<TableEntity>(cancellationToken: Ct))
            {
                left.Add(table + ":" + row.PartitionKey);
            }
        }

        var requests = 0;
        await foreach (var _ in (await storage.GetTableAsync(PrivacyStores.Requests, Ct)).QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            requests++;
        }

        left.Add("requests:" + requests);
        await foreach (var blob in (await storage.GetContainerAsync(PrivacyStores.Exports, Ct)).GetBlobsAsync(cancellationToken: Ct))
        {
            left.Add("blob:" + blob.Name);
        }

        await foreach (var row in (await storage.GetTableAsync(DenialStore.TableName, Ct)).QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            left.Add("denials:" + row.PartitionKey);
        }

        await foreach (var blob in (await storage.GetContainerAsync(AuditDetailsBlobs.Container, Ct)).GetBlobsAsync(cancellationToken: Ct))
        {
            left.Add("details:" + blob.Name);
        }

        var oldAudit = 0;
        var twoYearsAgo = DateTimeOffset.UtcNow.AddYears(-2).UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        await foreach (var _ in (await storage.GetTableAsync("audit", Ct)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {twoYearsAgo}"), cancellationToken: Ct))
        {
            oldAudit++;
        }

        Assert.Equal(0, oldAudit);
        return [.. left.Distinct().Order(StringComparer.Ordinal)];
    }
}
