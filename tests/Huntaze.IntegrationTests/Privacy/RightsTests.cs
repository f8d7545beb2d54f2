using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Onboarding.Catalog;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Onboarding.Migrations;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Security;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>Each right end to end through the local host (erasure has its own class), and the DPO's tools.</summary>
public sealed class RightsTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PrivacyApi Api => new(fixture.Host);

    [Fact]
    public async Task Portability_Completed_DownloadsArchiveOnlyForItsOwnerAndAnswers410AfterExpiry()
    {
        var user = HostFixture.NewUserId("port");
        await SeedOnboardingAsync(fixture.Host, user);
        using var client = Api.User(user);
        var id = await PrivacyApi.OpenAsync(client, new { type = "portability" });
        var done = await Api.WaitClosedAsync(id);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.True(done.GetProperty("export").GetProperty("available").GetBoolean());

        using (var download = await client.GetAsync($"/api/privacy/requests/{id}/export", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            var files = Zip.Entries(await download.Content.ReadAsByteArrayAsync(Ct));
            Assert.Equal("portability", JsonDocument.Parse(files["manifest.json"]).RootElement.GetProperty("type").GetString());
            Assert.Contains("Rue de la Paix", Encoding.UTF8.GetString(files["OnboardingProgress.json"]), StringComparison.Ordinal);
            Assert.DoesNotContain("processing.json", files.Keys);
        }

        using (var other = Api.User(HostFixture.NewUserId("other")))
        using (var stolen = await other.GetAsync($"/api/privacy/requests/{id}/export", Ct))
        {
            await OnboardingApi.ProblemAsync(stolen, HttpStatusCode.NotFound, "not-found");
        }

        await ExpireExportAsync(id);
        using var expired = await client.GetAsync($"/api/privacy/requests/{id}/export", Ct);
        await OnboardingApi.ProblemAsync(expired, HttpStatusCode.Gone, "gone");
    }

    [Fact]
    public async Task DpoExport_ForAUser_CompletesWithProcessingInformationAndDpoDownloads()
    {
        var user = HostFixture.NewUserId("dpoexp");
        await SeedOnboardingAsync(fixture.Host, user);
        using var dpo = Api.Dpo();
        using var opened = await PrivacyApi.PostJsonAsync(dpo, "/api/admin/dsr/export", new { userId = user, reason = "Subject asked by post" });
        var body = await PrivacyApi.JsonAsync(opened);
        Assert.True(opened.StatusCode == HttpStatusCode.Accepted, body.ToString());
        Assert.Equal($"/api/admin/dsr/{body.GetProperty("id").GetString()}", opened.Headers.Location?.OriginalString);
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal("completed", (await Api.WaitClosedAsync(id)).GetProperty("status").GetString());

        using var download = await dpo.GetAsync($"/api/admin/dsr/{id}/export", Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var files = Zip.Entries(await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Contains("processing.json", files.Keys);
        Assert.Contains(user, Encoding.UTF8.GetString(files["manifest.json"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rectification_Opened_ReachesDpoQueueAndDpoResolvesWithAuditedNote()
    {
        var user = HostFixture.NewUserId("rect");
        using var client = Api.User(user);
        var id = await PrivacyApi.OpenAsync(client, new { type = "rectification", claim = "My legal name is Dupont, not Dupond." });
        await Api.WaitStatusAsync(id, "awaiting_dpo");

        using var dpo = Api.Dpo();
        using (var queue = await dpo.GetAsync("/api/admin/dsr?status=open", Ct))
        {
            Assert.Contains(id, await queue.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (var noNote = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/resolve", new { outcome = "rectified" }))
        {
            await OnboardingApi.ProblemAsync(noNote, HttpStatusCode.BadRequest, "validation");
        }

        using (var resolved = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/resolve", new { outcome = "rectified", note = "Legal name corrected in the billing profile." }))
        {
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        }

        using var mine = await client.GetAsync($"/api/privacy/requests/{id}", Ct);
        var view = await PrivacyApi.JsonAsync(mine);
        Assert.Equal("completed", view.GetProperty("status").GetString());
        Assert.StartsWith("rectified:", view.GetProperty("resolution").GetString(), StringComparison.Ordinal);
        using var admin = Api.Admin();
        using var trail = await admin.GetAsync($"/api/admin/audit?target=privacy-request:{id}", Ct);
        Assert.Contains("privacy.request.resolved", await trail.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restriction_InForce_BlocksWritesEventsAndMigrationsButNotExport_ThenUserLiftsIt()
    {
        var user = HostFixture.NewUserId("restr");
        await SeedOnboardingAsync(fixture.Host, user);
        await ConsentToAnalyticsAsync(user); // without it no event is allowed in the first place
        using var client = Api.User(user);
        Assert.Equal("completed", (await Api.WaitClosedAsync(await PrivacyApi.OpenAsync(client, new { type = "restriction" }))).GetProperty("status").GetString());

        using var onboarding = new OnboardingApi(Api.User(user));
        using (var write = await onboarding.PatchAsync("goal_selection", new { status = "in_progress" }, "\"step-0\""))
        {
            var problem = await OnboardingApi.ProblemAsync(write, HttpStatusCode.Conflict, "processing-restricted");
            Assert.Equal("art-18", problem.GetProperty("restriction").GetString());
        }

        using (var snooze = await onboarding.PostAsync("/api/onboarding/snooze", new { days = 1 }))
        {
            await OnboardingApi.ProblemAsync(snooze, HttpStatusCode.Conflict, "processing-restricted");
        }

        var filters = fixture.Services.GetServices<IOnboardingEventFilter>().ToList();
        var anEvent = new OnboardingEvent(OnboardingEventKind.StepStarted, user, "goal_selection", DateTimeOffset.UtcNow);
        Assert.False(await AllowedAsync(filters, anEvent));
        var migrations = fixture.Services.GetRequiredService<MigrationService>();
        Assert.Equal(MigrationOutcome.Restricted, await migrations.MigrateUserAsync(ProgressSnapshot.Empty(user), "creator_assessment", 99, MigrationPolicy.Keep, dryRun: true, Ct));
        Assert.NotEqual(MigrationOutcome.Restricted, await migrations.MigrateUserAsync(ProgressSnapshot.Empty(HostFixture.NewUserId("free")), "creator_assessment", 99, MigrationPolicy.Keep, dryRun: true, Ct));

        // Access still works while restricted.
        Assert.Equal("completed", (await Api.WaitClosedAsync(await PrivacyApi.OpenAsync(client, new { type = "access" }))).GetProperty("status").GetString());

        Assert.Equal("completed", (await Api.WaitClosedAsync(await PrivacyApi.OpenAsync(client, new { type = "restriction", action = "lift" }))).GetProperty("status").GetString());
        using var after = await onboarding.PatchAsync("goal_selection", new { status = "in_progress" }, "\"step-0\"");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.True(await AllowedAsync(filters, anEvent));
    }

    [Fact]
    public async Task Objection_Experimentation_TakesUserOutOfPercentagesButNotNamedLists_Analytics_StopsEvents()
    {
        var user = HostFixture.NewUserId("obj");
        using var admin = Api.Admin();
        var everyone = await CreateFlagAsync(admin, users: [], percentage: 100);
        var named = await CreateFlagAsync(admin, users: [user], percentage: 0);
        var gate = fixture.Services.GetRequiredService<IFeatureGate>();
        var caller = new Caller(user, new HashSet<string> { Roles.User }, "FR", CredentialKind.Bearer);
        await Eventually.HoldsAsync(async () => await gate.IsEnabledAsync(everyone, caller, Ct), TimeSpan.FromSeconds(30), "the 100% flag reaches the snapshot");

        using var client = Api.User(user);
        Assert.Equal("completed", (await Api.WaitClosedAsync(await PrivacyApi.OpenAsync(client, new { type = "objection", purpose = "experimentation" }))).GetProperty("status").GetString());

        Assert.False(await gate.IsEnabledAsync(everyone, caller, Ct));
        Assert.True(await gate.IsEnabledAsync(named, caller, Ct));
        Assert.True(await gate.IsEnabledAsync(everyone, caller with { UserId = HostFixture.NewUserId("nonobj") }, Ct));

        var anEvent = new OnboardingEvent(OnboardingEventKind.StepCompleted, user, "creator_assessment", DateTimeOffset.UtcNow);
        var filters = fixture.Services.GetServices<IOnboardingEventFilter>().ToList();
        await ConsentToAnalyticsAsync(user); // without it no event is allowed in the first place
        Assert.True(await AllowedAsync(filters, anEvent));
        Assert.Equal("completed", (await Api.WaitClosedAsync(await PrivacyApi.OpenAsync(client, new { type = "objection", purpose = "analytics" }))).GetProperty("status").GetString());
        Assert.False(await AllowedAsync(filters, anEvent));
        Assert.False(await gate.IsEnabledAsync(everyone, caller, Ct));
    }

    [Fact]
    public async Task Erasure_UnderLegalHold_RefusedNamingTheHoldAndRecorded_AcceptedOnceLifted()
    {
        var user = HostFixture.NewUserId("hold");
        await SeedOnboardingAsync(fixture.Host, user);
        using var dpo = Api.Dpo();
        using (var set = await dpo.PutAsync($"/api/admin/privacy/controls/{user}/hold", PrivacyApi.Json(new { reason = "Litigation hold, case 2026-114" }), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        using var client = Api.User(user);
        using (var refused = await PrivacyApi.PostJsonAsync(client, "/api/privacy/requests", new { type = "erasure" }))
        {
            var problem = await OnboardingApi.ProblemAsync(refused, HttpStatusCode.Conflict, "legal-hold");
            Assert.Contains("Litigation hold, case 2026-114", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var mine = await client.GetAsync("/api/privacy/requests", Ct))
        {
            Assert.Equal("refused", (await PrivacyApi.JsonAsync(mine)).GetProperty("items")[0].GetProperty("status").GetString());
        }

        using (var lift = await dpo.DeleteAsync($"/api/admin/privacy/controls/{user}/hold", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        }

        using var accepted = await PrivacyApi.PostJsonAsync(client, "/api/privacy/requests", new { type = "erasure" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task Extend_ByDpoWithReason_MovesDueDateAtMostTwoMonthsAndIsAudited()
    {
        var user = HostFixture.NewUserId("ext");
        using var client = Api.User(user);
        var id = await PrivacyApi.OpenAsync(client, new { type = "rectification", claim = "Wrong company number." });
        using var dpo = Api.Dpo();
        var before = (await PrivacyApi.JsonAsync(await dpo.GetAsync($"/api/admin/dsr/{id}", Ct))).GetProperty("dueAt").GetDateTimeOffset();

        using (var noReason = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/extend", new { months = 2 }))
        {
            await OnboardingApi.ProblemAsync(noReason, HttpStatusCode.BadRequest, "validation");
        }

        using var extended = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/extend", new { months = 2, reason = "Needs the registrar's confirmation." });
        var view = await PrivacyApi.JsonAsync(extended);
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        Assert.Equal(before.AddMonths(2), view.GetProperty("dueAt").GetDateTimeOffset());
        Assert.True(view.GetProperty("extended").GetBoolean());

        using (var tooFar = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/extend", new { months = 1, reason = "More." }))
        {
            await OnboardingApi.ProblemAsync(tooFar, HttpStatusCode.Conflict, "conflict");
        }

        using var mine = await client.GetAsync($"/api/privacy/requests/{id}", Ct);
        Assert.Equal("Needs the registrar's confirmation.", (await PrivacyApi.JsonAsync(mine)).GetProperty("extensionReason").GetString());
        using var admin = Api.Admin();
        using var trail = await admin.GetAsync($"/api/admin/audit?target=privacy-request:{id}", Ct);
        Assert.Contains("privacy.request.extended", await trail.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_IdenticalRequestWhileOpen_ReturnsTheOpenOne()
    {
        using var client = Api.User(HostFixture.NewUserId("dup"));
        var first = await PrivacyApi.OpenAsync(client, new { type = "rectification", claim = "Same claim." });

        using var again = await PrivacyApi.PostJsonAsync(client, "/api/privacy/requests", new { type = "rectification", claim = "Same claim." });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, (await PrivacyApi.JsonAsync(again)).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("{\"type\":\"forget-me\"}", "type")]
    [InlineData("{\"type\":\"objection\"}", "purpose")]
    [InlineData("{\"type\":\"objection\",\"purpose\":\"marketing\"}", "purpose")]
    [InlineData("{\"type\":\"rectification\"}", "claim")]
    [InlineData("{\"type\":\"access\",\"claim\":\"x\"}", "claim")]
    [InlineData("{\"type\":\"restriction\",\"action\":\"pause\"}", "action")]
    public async Task Open_BadInput_400NamingTheFieldAndNothingStored(string body, string field)
    {
        using var client = Api.User(HostFixture.NewUserId("bad"));

        using var response = await client.PostAsync("/api/privacy/requests", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        var problem = await OnboardingApi.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        using var mine = await client.GetAsync("/api/privacy/requests", Ct);
        Assert.Empty((await PrivacyApi.JsonAsync(mine)).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("{\"userId\":\"u1\",\"reason\":\"r\"}", "confirm")]
    [InlineData("{\"userId\":\"u1\",\"reason\":\"r\",\"confirm\":false}", "confirm")]
    [InlineData("{\"userId\":\"bad/id\",\"reason\":\"r\",\"confirm\":true}", "userId")]
    [InlineData("{\"userId\":\"u1\",\"confirm\":true}", "reason")]
    public async Task DpoDelete_BadInput_400NamingTheField(string body, string field)
    {
        using var dpo = Api.Dpo();

        using var response = await dpo.PostAsync("/api/admin/dsr/delete", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        var problem = await OnboardingApi.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task DpoDeleteAndPreview_UnknownUser_404()
    {
        using var dpo = Api.Dpo();
        var stranger = HostFixture.NewUserId("never");

        using var preview = await dpo.GetAsync($"/api/admin/dsr/delete/preview?userId={stranger}", Ct);
        using var delete = await PrivacyApi.PostJsonAsync(dpo, "/api/admin/dsr/delete", new { userId = stranger, confirm = true, reason = "Asked by email" });
        using var malformed = await dpo.GetAsync("/api/admin/dsr/delete/preview?userId=a%2Fb", Ct);

        await OnboardingApi.ProblemAsync(preview, HttpStatusCode.NotFound, "not-found");
        await OnboardingApi.ProblemAsync(delete, HttpStatusCode.NotFound, "not-found");
        await OnboardingApi.ProblemAsync(malformed, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task DeletePreview_UserWithData_CountsPerStoreAndWritesNothing()
    {
        var user = HostFixture.NewUserId("prev");
        await SeedOnboardingAsync(fixture.Host, user);
        var storage = fixture.Services.GetRequiredService<StorageClients>();
        var progress = await storage.GetTableAsync("OnboardingProgress", Ct);
        var before = await RowsAsync(progress, user);
        using var dpo = Api.Dpo();

        using var response = await dpo.GetAsync($"/api/admin/dsr/delete/preview?userId={user}", Ct);

        var body = await PrivacyApi.JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stores = body.GetProperty("stores").EnumerateArray().ToDictionary(s => s.GetProperty("store").GetString()!, s => s.GetProperty("count").GetInt32());
        Assert.Equal(3, stores["OnboardingProgress"]); // the step, the guide state and the write counter (ADR 0007)
        Assert.Equal("delete", body.GetProperty("stores").EnumerateArray().First(s => s.GetProperty("store").GetString() == "OnboardingProgress").GetProperty("action").GetString());
        Assert.Equal(before, await RowsAsync(progress, user));
        using var mine = await Api.User(user).GetAsync("/api/privacy/requests", Ct);
        Assert.Empty((await PrivacyApi.JsonAsync(mine)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Open_FourthRequestInADay_429AndNotStored()
    {
        using var client = Api.User(HostFixture.NewUserId("limit"));
        for (var i = 0; i < 3; i++)
        {
            await PrivacyApi.OpenAsync(client, new { type = "rectification", claim = $"Claim {i}." });
        }

        using var fourth = await PrivacyApi.PostJsonAsync(client, "/api/privacy/requests", new { type = "rectification", claim = "Claim 3." });

        var problem = await OnboardingApi.ProblemAsync(fourth, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.Equal("privacy-requests", problem.GetProperty("policy").GetString());
        using var mine = await client.GetAsync("/api/privacy/requests", Ct);
        Assert.Equal(3, (await PrivacyApi.JsonAsync(mine)).GetProperty("items").GetArrayLength());
    }

    private async Task ConsentToAnalyticsAsync(string user)
    {
        using var browser = new ConsentClient(fixture.Host) { UserId = user };
        await browser.ChooseAsync(analytics: true);
    }

    private static async Task<bool> AllowedAsync(IEnumerable<IOnboardingEventFilter> filters, OnboardingEvent domainEvent)
    {
        foreach (var filter in filters)
        {
            if (!await filter.AllowsAsync(domainEvent, Ct))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Step data for the user through the API (an address: personal data the export and erasure must find).</summary>
    internal static async Task SeedOnboardingAsync(LocalHostInstance host, string user)
    {
        await host.WaitUntilOnboardingEnabledAsync();
        using var onboarding = new OnboardingApi(new PrivacyApi(host).User(user));
        using var write = await onboarding.PatchAsync("creator_assessment", new { status = "in_progress", data = new { address = "1 Rue de la Paix, Paris" } }, "\"step-0\"");
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
    }

    private async Task ExpireExportAsync(string requestId)
    {
        var storage = fixture.Services.GetRequiredService<StorageClients>();
        var table = await storage.GetTableAsync(PrivacyStores.Requests, Ct);
        var row = (await table.GetEntityAsync<TableEntity>(RequestIds.SubjectRefOf(requestId), requestId, cancellationToken: Ct)).Value;
        row["ExportExpiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-1);
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, Ct);
    }

    private static async Task<string> CreateFlagAsync(HttpClient admin, string[] users, int percentage)
    {
        var name = "Obj" + Guid.NewGuid().ToString("N")[..8];
        var document = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = name,
            ["enabled"] = true,
            ["conditions"] = new { client_filters = new[] { new { name = "Microsoft.Targeting", parameters = new { Audience = new { Users = users, Groups = Array.Empty<object>(), DefaultRolloutPercentage = percentage } } } } },
        });
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/feature-flags/{name}") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var created = await admin.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return name;
    }

    private static async Task<int> RowsAsync(TableClient table, string user)
    {
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {user}"), cancellationToken: Ct))
        {
            count++;
        }

        return count;
    }
}
