using Azure.Data.Tables;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Erasure;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Subjects;
using Huntaze.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// What the backup restore (issue 12) relies on: tables restored under another prefix, the ledger
/// re-applied to them — subjects erased after the backup was taken are erased again (rows deleted, key
/// rows deleted, request records pseudonymised, flag lists cleaned); others are left exactly as restored.
/// </summary>
public sealed class ReapplierTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReapplyAsync_RestoredSideTables_ErasesOnlySubjectsErasedAfterTheBackup()
    {
        var live = fixture.Services.GetRequiredService<StorageClients>();
        var side = new StorageClients(live.TableService, live.BlobService, "side" + Guid.NewGuid().ToString("N")[..8], live.Declared);
        var references = fixture.Services.GetRequiredService<SubjectReferences>();
        var ledger = fixture.Services.GetRequiredService<IErasureLedger>();
        var now = DateTimeOffset.UtcNow;
        var (erased, kept, erasedEarlier) = (HostFixture.NewUserId("gone"), HostFixture.NewUserId("kept"), HostFixture.NewUserId("back"));
        foreach (var user in new[] { erased, kept, erasedEarlier })
        {
            await SeedAsync(side, user, await references.OfAsync(user, Ct));
        }

        var flags = await side.GetTableAsync("flags", Ct);
        var audience = new Audience([erased, kept], [], 0, [erasedEarlier], []);
        await flags.AddEntityAsync(new TableEntity("flag", "Restored") { ["Document"] = FlagDocument.Serialize(new FeatureFlag("Restored", true, null, audience)), ["Tags"] = "{}" }, Ct);
        await ledger.RecordAsync(new ErasureLedgerEntry(await references.OfAsync(erased, Ct), now, "r-after"), Ct);
        await ledger.RecordAsync(new ErasureLedgerEntry(await references.OfAsync(erasedEarlier, Ct), now.AddDays(-10), "r-before"), Ct);

        var report = await fixture.Services.GetRequiredService<IErasureReapplier>().ReapplyAsync(side, now.AddDays(-1), Ct);

        Assert.Equal(1, report.SubjectsErasedPerStore[HuntazeDataMap.OnboardingProgress]);
        Assert.Equal(0, await CountAsync(side, HuntazeDataMap.OnboardingProgress, erased));
        Assert.Equal(1, await CountAsync(side, HuntazeDataMap.OnboardingProgress, kept));
        Assert.Equal(1, await CountAsync(side, HuntazeDataMap.OnboardingProgress, erasedEarlier)); // data written after its erasure
        Assert.Equal(0, await CountAsync(side, PrivacyStores.SubjectKeys, await references.OfAsync(erased, Ct)));
        Assert.Equal(0, await CountAsync(side, PrivacyStores.SubjectKeys, "k" + erased.GetHashCode(StringComparison.Ordinal).ToString("x8") + "keyid"));
        Assert.Equal(1, await CountAsync(side, PrivacyStores.SubjectKeys, await references.OfAsync(kept, Ct)));
        var request = (await (await side.GetTableAsync(PrivacyStores.Requests, Ct)).GetEntityAsync<TableEntity>(await references.OfAsync(erased, Ct), "row", cancellationToken: Ct)).Value;
        Assert.Null(request.GetString("UserId"));
        Assert.Null(request.GetString("Claim"));
        Assert.Equal("completed", request.GetString("Status"));
        var flag = FlagDocument.Parse((await flags.GetEntityAsync<TableEntity>("flag", "Restored", cancellationToken: Ct)).Value.GetString("Document")!).Flag!;
        Assert.Equal([kept], flag.Targeting!.Users);
        Assert.Equal([erasedEarlier], flag.Targeting.ExcludedUsers);
        Assert.Empty(await RawScan.FindAsync(side, erased, await references.OfAsync(erased, Ct)));
    }

    private static async Task SeedAsync(StorageClients side, string user, string subjectRef)
    {
        var progress = await side.GetTableAsync(HuntazeDataMap.OnboardingProgress, Ct);
        await progress.AddEntityAsync(new TableEntity(user, "guide:" + user) { ["Revision"] = 1, ["Step_creator_assessment"] = "{\"status\":\"InProgress\",\"data\":{\"name\":\"" + user + "\"}}" }, Ct);
        var keys = await side.GetTableAsync(PrivacyStores.SubjectKeys, Ct);
        var keyId = "k" + user.GetHashCode(StringComparison.Ordinal).ToString("x8") + "keyid";
        await keys.AddEntityAsync(new TableEntity(subjectRef, SubjectKeys.ByReference) { ["KeyId"] = keyId, ["Key"] = "a2V5" }, Ct);
        await keys.AddEntityAsync(new TableEntity(keyId, SubjectKeys.ById) { ["Key"] = "a2V5" }, Ct);
        var requests = await side.GetTableAsync(PrivacyStores.Requests, Ct);
        await requests.AddEntityAsync(new TableEntity(subjectRef, "row") { ["UserId"] = user, ["Claim"] = "{\"text\":\"x\"}", ["Type"] = "rectification", ["Status"] = "completed" }, Ct);
    }

    private static async Task<int> CountAsync(StorageClients storage, string table, string partition)
    {
        var count = 0;
        await foreach (var _ in (await storage.GetTableAsync(table, Ct)).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: Ct))
        {
            count++;
        }

        return count;
    }
}
