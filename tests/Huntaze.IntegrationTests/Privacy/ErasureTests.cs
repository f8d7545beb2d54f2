using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Subjects;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// The whole promise, through the local host: a user with data in every store next to a neighbour whose
/// id extends theirs (u1 and u10). The export holds all of the user's rows and none of the neighbour's;
/// the erasure leaves nothing of the user anywhere (found by reading every store back), the neighbour
/// untouched, the audit chain verifying, the flags no longer naming the user; a second erasure is a no-op.
/// </summary>
public sealed class ErasureTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Erasure_UserWithDataEverywhereNextToPrefixNeighbour_ExportExactThenNothingLeftAndSecondIsNoOp()
    {
        var api = new PrivacyApi(fixture.Host);
        var storage = fixture.Services.GetRequiredService<StorageClients>();
        var references = fixture.Services.GetRequiredService<SubjectReferences>();
        var stem = "e" + Guid.NewGuid().ToString("N")[..10];
        var (user, neighbour) = (stem + "1", stem + "10");
        await fixture.Host.WaitUntilOnboardingEnabledAsync();
        var flag = await SeedAsync(api, user, neighbour);
        var devices = new Dictionary<string, string>();
        foreach (var id in new[] { user, neighbour })
        {
            // A choice made before sign-in, linked to the account by the first signed-in consent call.
            using var browser = new ConsentClient(fixture.Host);
            await browser.ChooseAsync(analytics: true);
            browser.UserId = id;
            await browser.StateAsync();
            devices[id] = browser.ConsentId!;
        }

        var (userRef, neighbourRef) = (await references.OfAsync(user, Ct), await references.OfAsync(neighbour, Ct));
        var neighbourBefore = await RawScan.FindAsync(storage, neighbour, neighbourRef);
        Assert.NotEmpty(await RawScan.FindAsync(storage, user, userRef));

        // Access: the archive holds the user's rows, and nothing of the neighbour.
        using var userClient = api.User(user);
        var exportId = await PrivacyApi.OpenAsync(userClient, new { type = "access" });
        var export = await api.WaitClosedAsync(exportId);
        Assert.Equal("completed", export.GetProperty("status").GetString());
        using var download = await userClient.GetAsync($"/api/privacy/requests/{exportId}/export", Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        var files = Zip.Entries(await download.Content.ReadAsByteArrayAsync(Ct));
        AssertManifestMatches(files);
        var all = string.Join("\n", files.Values.Select(Encoding.UTF8.GetString));
        Assert.Contains("Hauptstr. 1 " + user, all, StringComparison.Ordinal);       // progress data
        Assert.Contains(flag, Encoding.UTF8.GetString(files["flags.json"]), StringComparison.Ordinal);
        Assert.Contains("objection-analytics", Encoding.UTF8.GetString(files["privacycontrols.json"]), StringComparison.Ordinal);
        // The refused admin call is in the denial stream (i8-security), under client 'user:{id}'.
        Assert.Contains("access.forbidden", Encoding.UTF8.GetString(files["auditdenials.json"]), StringComparison.Ordinal);
        Assert.NotEmpty(JsonDocument.Parse(files["ratelimits.json"]).RootElement.GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(neighbour, all, StringComparison.Ordinal);
        Assert.Single(JsonDocument.Parse(files["consent.json"]).RootElement.GetProperty("items").EnumerateArray());
        Assert.Contains(devices[user], Encoding.UTF8.GetString(files["consentanonymous.json"]), StringComparison.Ordinal);

        // Erasure, asked by the user.
        var erasureId = await PrivacyApi.OpenAsync(userClient, new { type = "erasure" });
        var erased = await api.WaitClosedAsync(erasureId);
        Assert.Equal("completed", erased.GetProperty("status").GetString());
        Assert.True(erased.GetProperty("result").GetProperty("verification").GetProperty("passed").GetBoolean(), erased.ToString());
        Assert.False(erased.TryGetProperty("userId", out _), "The completed erasure must no longer hold the user id.");

        var left = await RawScan.FindAsync(storage, user, userRef);
        Assert.True(left.Count == 0, "Still stored after erasure: " + string.Join(", ", left));
        // The neighbour keeps everything; the erasure's rewrite of the flag is journaled like any flag write, so one
        // more point-in-time journal row names them (the flag's new version).
        var neighbourAfter = await RawScan.FindAsync(storage, neighbour, neighbourRef);
        Assert.Empty(neighbourBefore.Except(neighbourAfter));
        Assert.All(neighbourAfter.Except(neighbourBefore), hit => Assert.Contains(storage.TableName(Huntaze.Functions.Backups.BackupStores.Journal) + "[", hit, StringComparison.Ordinal));

        // Consent: the proof stays, pseudonymised (Art. 7(1), 17(3)(e)); the linked device's records are gone.
        var consent = fixture.Services.GetRequiredService<Huntaze.Functions.Privacy.Consent.ConsentStore>();
        var proof = await consent.RowsAsync(Huntaze.Functions.Privacy.Consent.ConsentKey.User(userRef), Ct);
        Assert.Single(proof);
        Assert.All(proof, r => Assert.True(r.ContainsKey("ErasedAt") && !r.ContainsKey("UserId") && !r.ContainsKey("LinkedFrom")));
        Assert.Empty(await consent.RowsAsync(Huntaze.Functions.Privacy.Consent.ConsentKey.Anonymous(devices[user]), Ct));
        Assert.NotEmpty(await consent.RowsAsync(Huntaze.Functions.Privacy.Consent.ConsentKey.Anonymous(devices[neighbour]), Ct));

        using var admin = api.Admin();
        using (var verify = await admin.GetAsync("/api/admin/audit/verify", Ct))
        {
            var body = await PrivacyApi.JsonAsync(verify);
            Assert.True(body.GetProperty("valid").GetBoolean(), body.ToString());
        }

        using (var flagRead = await admin.GetAsync($"/api/admin/feature-flags/{flag}", Ct))
        {
            var document = await flagRead.Content.ReadAsStringAsync(Ct);
            Assert.DoesNotContain($"\"{user}\"", document, StringComparison.Ordinal);
            Assert.Contains($"\"{neighbour}\"", document, StringComparison.Ordinal);
        }

        // A second erasure, by the DPO: it runs, finds nothing and changes nothing.
        using var dpo = api.Dpo();
        using var again = await PrivacyApi.PostJsonAsync(dpo, "/api/admin/dsr/delete", new { userId = user, confirm = true, reason = "Repeat of a completed erasure" });
        var againBody = await PrivacyApi.JsonAsync(again);
        Assert.True(again.StatusCode == HttpStatusCode.Accepted, againBody.ToString());
        var second = await api.WaitClosedAsync(againBody.GetProperty("id").GetString()!);
        Assert.Equal("completed", second.GetProperty("status").GetString());
        Assert.True(second.GetProperty("result").GetProperty("verification").GetProperty("passed").GetBoolean());
        Assert.All(second.GetProperty("result").GetProperty("stores").EnumerateArray(), s => Assert.Equal(0, s.GetProperty("count").GetInt32()));
        Assert.Empty(await RawScan.FindAsync(storage, user, userRef));
    }

    /// <summary>Onboarding data, counters, a flag naming both (and excluding the user), refusals, an objection: every store.</summary>
    private static async Task<string> SeedAsync(PrivacyApi api, string user, string neighbour)
    {
        var flag = "Erase" + Guid.NewGuid().ToString("N")[..8];
        using var admin = api.Admin();
        var document = "{\"id\":\"" + flag + "\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":{\"Audience\":{\"Users\":[\"" + user + "\",\"" + neighbour + "\"],\"Groups\":[],\"DefaultRolloutPercentage\":0,\"Exclusion\":{\"Users\":[\"" + user + "\"],\"Groups\":[]}}}}]}}";
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/feature-flags/{flag}") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using (var created = await admin.SendAsync(put, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        await Task.WhenAll(new[] { user, neighbour }.Select(async id =>
        {
            using var onboarding = new OnboardingApi(api.User(id));
            using (var write = await onboarding.PatchAsync("creator_assessment", new { status = "in_progress", data = new { legalName = "Hauptstr. 1 " + id } }, "\"step-0\""))
            {
                Assert.Equal(HttpStatusCode.OK, write.StatusCode);
            }

            using (var refused = await onboarding.Client.GetAsync("/api/admin/privacy/registry", Ct))
            {
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            }

            var objection = await PrivacyApi.OpenAsync(onboarding.Client, new { type = "objection", purpose = "analytics" });
            Assert.Equal("completed", (await api.WaitClosedAsync(objection)).GetProperty("status").GetString());
        }));

        using var dpo = api.Dpo();
        using (var search = await dpo.GetAsync($"/api/admin/audit?actor={user}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);
            Assert.Contains(user, await search.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal); // revealed while the key exists
        }

        // The refused call is counted in memory and reaches the denial stream at the next flush (every second in
        // test hosts): wait for its row, or the export below may run before it exists.
        await Eventually.HoldsAsync(async () =>
        {
            using var denials = await dpo.GetAsync($"/api/admin/audit/denials?client={Uri.EscapeDataString("user:" + user)}", Ct);
            if (denials.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            using var page = JsonDocument.Parse(await denials.Content.ReadAsStringAsync(Ct));
            return page.RootElement.GetProperty("items").GetArrayLength() > 0;
        }, TimeSpan.FromSeconds(60), "the refused call reaches the denial stream");

        return flag;
    }

    private static void AssertManifestMatches(Dictionary<string, byte[]> files)
    {
        var manifest = JsonDocument.Parse(files["manifest.json"]).RootElement;
        Assert.Equal("huntaze-export/1", manifest.GetProperty("format").GetString());
        foreach (var file in manifest.GetProperty("files").EnumerateArray())
        {
            var bytes = files[file.GetProperty("file").GetString()!];
            Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(file.GetProperty("items").GetInt32(), JsonDocument.Parse(bytes).RootElement.TryGetProperty("items", out var items) ? items.GetArrayLength() : file.GetProperty("items").GetInt32());
        }
    }
}
