using System.Globalization;
using System.Net;
using System.Text.Json;
using Huntaze.Functions.Privacy.Handlers;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Huntaze.IntegrationTests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// "Every step audited" (issue 10, item 2), through the local host: each workflow is run to its end and the
/// request's audit trail (<c>GET /api/admin/audit?target=privacy-request:{id}</c>) must hold exactly one entry
/// per step, by the right actor, with what the step did (counts, the control, the note) — no step missing,
/// none twice, nothing else.
/// </summary>
public sealed class DsrAuditTrailTests(HostFixture fixture)
{
    private const string System = "system";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PrivacyApi Api => new(fixture.Host);

    /// <summary>The data handlers, one export/erasure/verification activity each.</summary>
    private IReadOnlyList<string> Handlers =>
        [.. fixture.Services.GetServices<ISubjectDataHandler>().Select(h => h.Key).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Export_ByDpoForAUser_OneEntryPerStepWithTheStoreCountsThatMakeTheArchive()
    {
        var user = HostFixture.NewUserId("trailexp");
        await RightsTests.SeedOnboardingAsync(fixture.Host, user);
        using var dpo = Api.Dpo();
        using var opened = await PrivacyApi.PostJsonAsync(dpo, "/api/admin/dsr/export", new { userId = user, reason = "Asked by post" });
        Assert.Equal(HttpStatusCode.Accepted, opened.StatusCode);
        var id = (await PrivacyApi.JsonAsync(opened)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await Api.WaitClosedAsync(id)).GetProperty("status").GetString());
        using (var download = await dpo.GetAsync($"/api/admin/dsr/{id}/export", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        var trail = await TrailAsync(id);

        Assert.Equal(
            [
                "dpo privacy.request.opened",
                "system privacy.request.started",
                .. Handlers.Select(h => $"system privacy.export.store {h}"),
                "system privacy.export.completed",
                "dpo privacy.export.downloaded",
            ],
            Steps(trail));
        Assert.Equal("Asked by post", Entry(trail, "privacy.request.opened").Details["reason"]);
        var stores = trail.Where(e => e.Action == "privacy.export.store").ToList();
        Assert.Contains("OnboardingProgress=", Single(stores, "progress").Details["counts"], StringComparison.Ordinal);
        // The steps' counts are what the archive holds.
        Assert.Equal(stores.Sum(e => Counts(e).Values.Sum()), int.Parse(Entry(trail, "privacy.export.completed").Details["items"]!, CultureInfo.InvariantCulture));
        Assert.All(trail.Where(e => e.Actor == System && e.Action != "privacy.export.completed"), e => Assert.Equal("running", e.Details["status"]));
        Assert.Equal("completed", Entry(trail, "privacy.export.completed").Details["status"]);
    }

    [Fact]
    public async Task Erasure_ByTheUser_OneEntryPerEraseAndVerifyStepThenTheVerifiedCompletion()
    {
        var user = HostFixture.NewUserId("trailera");
        await RightsTests.SeedOnboardingAsync(fixture.Host, user);
        using var client = Api.User(user);
        var id = await PrivacyApi.OpenAsync(client, new { type = "erasure" });
        var done = await Api.WaitClosedAsync(id);
        Assert.Equal("completed", done.GetProperty("status").GetString());

        var trail = await TrailAsync(id);

        // The user's own entry names them under their key, destroyed by the erasure: the actor reads [erased].
        Assert.Equal(
            [
                "[erased] privacy.request.opened",
                "system privacy.request.started",
                .. Handlers.Select(h => $"system privacy.erasure.store {h}"),
                .. Handlers.Select(h => $"system privacy.erasure.verify {h}"),
                "system privacy.erasure.completed",
            ],
            Steps(trail));
        var erased = trail.Where(e => e.Action == "privacy.erasure.store").ToList();
        Assert.True(Counts(Single(erased, "progress")).GetValueOrDefault("OnboardingProgress") > 0, Single(erased, "progress").Details["counts"]);
        Assert.All(trail.Where(e => e.Action == "privacy.erasure.verify"), e => Assert.All(Counts(e).Values, count => Assert.Equal(0, count)));
        var completed = Entry(trail, "privacy.erasure.completed");
        Assert.Equal("true", completed.Details["verified"]);
        Assert.Equal("completed", completed.Details["status"]);
        Assert.DoesNotContain(trail, e => e.Raw.Contains(user, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rectification_ExtendedThenResolved_OneEntryPerStepByItsActor()
    {
        var user = HostFixture.NewUserId("trailrect");
        using var client = Api.User(user);
        var id = await PrivacyApi.OpenAsync(client, new { type = "rectification", claim = "My trade name is Atelier Nord." });
        await Api.WaitStatusAsync(id, "awaiting_dpo");
        using var dpo = Api.Dpo();
        using (var extended = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/extend", new { months = 1, reason = "Waiting for the registry extract." }))
        {
            Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        }

        using (var resolved = await PrivacyApi.PostJsonAsync(dpo, $"/api/admin/dsr/{id}/resolve", new { outcome = "rectified", note = "Trade name corrected." }))
        {
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        }

        Assert.Equal("completed", (await Api.WaitClosedAsync(id)).GetProperty("status").GetString());

        var trail = await TrailAsync(id);

        Assert.Equal(
            [
                $"{user} privacy.request.opened",
                "system privacy.request.started",
                "system privacy.request.awaiting_dpo",
                "dpo privacy.request.extended",
                "dpo privacy.request.resolved",
            ],
            Steps(trail));
        Assert.Equal("Waiting for the registry extract.", Entry(trail, "privacy.request.extended").Details["reason"]);
        Assert.Equal("Trade name corrected.", Entry(trail, "privacy.request.resolved").Details["note"]);
        Assert.Equal("rectified", Entry(trail, "privacy.request.resolved").Details["outcome"]);
    }

    [Fact]
    public async Task Controls_RestrictionAppliedAndLiftedAndLegalHoldSetAndLifted_EachChangeAuditedOnce()
    {
        var user = HostFixture.NewUserId("trailctl");
        using var client = Api.User(user);
        var applied = await PrivacyApi.OpenAsync(client, new { type = "restriction" });
        Assert.Equal("completed", (await Api.WaitClosedAsync(applied)).GetProperty("status").GetString());
        var lifted = await PrivacyApi.OpenAsync(client, new { type = "restriction", action = "lift" });
        Assert.Equal("completed", (await Api.WaitClosedAsync(lifted)).GetProperty("status").GetString());

        using var dpo = Api.Dpo();
        using (var hold = await dpo.PutAsync($"/api/admin/privacy/controls/{user}/hold", PrivacyApi.Json(new { reason = "Tax audit 2026" }), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, hold.StatusCode);
        }

        string refusedId;
        using (var refused = await PrivacyApi.PostJsonAsync(client, "/api/privacy/requests", new { type = "erasure" }))
        {
            refusedId = (await OnboardingApi.ProblemAsync(refused, HttpStatusCode.Conflict, "legal-hold")).GetProperty("requestId").GetString()!;
        }

        using (var release = await dpo.DeleteAsync($"/api/admin/privacy/controls/{user}/hold", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        }

        Assert.Equal(
            [$"{user} privacy.request.opened", "system privacy.request.started", "system privacy.control.set"],
            Steps(await TrailAsync(applied)));
        Assert.Equal(
            [$"{user} privacy.request.opened", "system privacy.request.started", "system privacy.control.lifted"],
            Steps(await TrailAsync(lifted)));
        Assert.All((await TrailAsync(applied)).Concat(await TrailAsync(lifted)), e => Assert.True(
            !e.Action.StartsWith("privacy.control.", StringComparison.Ordinal) || e.Details["control"] == "restriction", e.Raw));

        // The DPO's changes, on the user: the hold set, the refusal it caused (on the refused request), the hold lifted.
        var onUser = await QueryAsync($"target=user:{user}");
        Assert.Equal(["dpo privacy.control.set", "dpo privacy.control.lifted"], Steps(onUser));
        Assert.All(onUser, e => Assert.Equal("hold", e.Details["control"]));
        Assert.Equal("Tax audit 2026", Entry(onUser, "privacy.control.set").Details["reason"]);
        var refusal = await TrailAsync(refusedId);
        Assert.Equal([$"{user} privacy.request.refused"], Steps(refusal));
        Assert.Equal("Tax audit 2026", refusal[0].Details["hold"]);
    }

    /// <summary>"actor action [handler]" per entry, oldest first; DPO ids (fresh per client) read as "dpo".</summary>
    private static List<string> Steps(IEnumerable<TrailEntry> trail) =>
        [.. trail.Select(e => $"{(e.Actor.StartsWith("dpo-", StringComparison.Ordinal) ? "dpo" : e.Actor)} {e.Action}{(e.Details.TryGetValue("handler", out var h) ? " " + h : "")}")];

    /// <summary>The request's entries, in the order the log holds them, except that the store steps of one phase
    /// (run in parallel, so appended in any order) are listed by handler where the phase's first entry stands.</summary>
    private Task<List<TrailEntry>> TrailAsync(string requestId) => QueryAsync($"target=privacy-request:{requestId}");

    private async Task<List<TrailEntry>> QueryAsync(string filter)
    {
        using var admin = Api.Admin();
        var (items, continuation) = await AuditTests.QueryAsync(admin, $"/api/admin/audit?{filter}&pageSize=200");
        Assert.Null(continuation);
        var entries = items.Select(TrailEntry.From).ToList();
        return [.. entries
            .Select((e, i) => (Entry: e, Position: e.Details.ContainsKey("handler") ? entries.FindIndex(x => x.Action == e.Action) : i))
            .OrderBy(x => x.Position)
            .ThenBy(x => x.Entry.Details.GetValueOrDefault("handler") ?? "", StringComparer.Ordinal)
            .Select(x => x.Entry)];
    }

    private static TrailEntry Entry(IEnumerable<TrailEntry> trail, string action) => Assert.Single(trail, e => e.Action == action);

    private static TrailEntry Single(IEnumerable<TrailEntry> trail, string handler) => Assert.Single(trail, e => e.Details.GetValueOrDefault("handler") == handler);

    /// <summary>A store step's "Store=n,…" counts.</summary>
    private static Dictionary<string, int> Counts(TrailEntry entry) =>
        (entry.Details["counts"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('='))
            .ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private sealed record TrailEntry(string Actor, string Action, IReadOnlyDictionary<string, string?> Details, string Raw)
    {
        public static TrailEntry From(JsonElement e) => new(
            e.GetProperty("actor").GetString()!,
            e.GetProperty("action").GetString()!,
            e.TryGetProperty("details", out var details)
                ? details.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString(), StringComparer.Ordinal)
                : new Dictionary<string, string?>(StringComparer.Ordinal),
            e.GetRawText());
    }
}
