using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Evaluation;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Privacy.Subjects;
using Huntaze.Functions.Security;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>Consent records through the local host: anonymous and signed-in, linking, history, bad input, and what the server obeys.</summary>
public sealed class ConsentTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ConsentStore Store => fixture.Services.GetRequiredService<ConsentStore>();

    [Fact]
    public async Task Get_VisitorWithoutChoice_AsksWithNecessaryOnlyAndSetsNoCookie()
    {
        using var visitor = new ConsentClient(fixture.Host);

        var state = await visitor.StateAsync();

        Assert.Equal("anonymous", state.GetProperty("subject").GetString());
        Assert.True(state.GetProperty("ask").GetBoolean());
        Assert.Equal(ConsentClient.Current, state.GetProperty("policyVersion").GetString());
        Assert.False(state.TryGetProperty("record", out _));
        AssertCategories(state, analytics: false, marketing: false, personalization: false);
        Assert.Null(visitor.LastSetCookie);
    }

    [Fact]
    public async Task Put_VisitorsFirstChoice_IssuesAHostOnlyHttpOnlyLaxCookieAndMapsConsentMode()
    {
        using var visitor = new ConsentClient(fixture.Host);

        var state = await visitor.ChooseAsync(analytics: true, personalization: true);

        var cookie = visitor.LastSetCookie!;
        Assert.Matches("^__Host-huntaze-consent=[0-9a-f]{32}; Max-Age=15724800; Secure; HttpOnly; SameSite=Lax; Path=/$", cookie);
        Assert.False(state.GetProperty("ask").GetBoolean());
        AssertCategories(state, analytics: true, marketing: false, personalization: true);
        var mode = state.GetProperty("consentMode").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["functionality_storage"] = "granted",
            ["security_storage"] = "granted",
            ["analytics_storage"] = "granted",
            ["ad_storage"] = "denied",
            ["ad_user_data"] = "denied",
            ["ad_personalization"] = "denied",
            ["personalization_storage"] = "granted",
        }, mode);
        var record = state.GetProperty("record");
        Assert.Equal(1, record.GetProperty("seq").GetInt32());
        Assert.Equal("banner", record.GetProperty("source").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(ConsentClient.UserAgent))), record.GetProperty("userAgentHash").GetString());
        Assert.InRange(record.GetProperty("recordedAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task History_TwoChoicesAndARepeat_AppendsOnlyChangesOldestFirstWithTimes()
    {
        using var visitor = new ConsentClient(fixture.Host);
        await visitor.ChooseAsync(analytics: false);
        await visitor.ChooseAsync(analytics: true);
        await visitor.ChooseAsync(analytics: true); // the same choice again records nothing

        var history = await visitor.HistoryAsync();

        Assert.Equal([1, 2], history.Select(r => r.GetProperty("seq").GetInt32()));
        Assert.Equal([false, true], history.Select(r => r.GetProperty("categories").GetProperty("analytics").GetBoolean()));
        Assert.True(history[0].GetProperty("recordedAt").GetDateTimeOffset() <= history[1].GetProperty("recordedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Anonymous_GetPutAndHistory_CountAgainstTheAnonymousLimit()
    {
        using var visitor = new ConsentClient(fixture.Host);

        using var put = await visitor.PutAsync(ConsentClient.Body(analytics: false));
        using var get = await visitor.GetAsync();
        using var history = await visitor.GetAsync("/api/consent/history");

        Assert.All([put, get, history], r =>
        {
            Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}");
            Assert.StartsWith("\"anonymous\";q=", r.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Put_Anonymous_WithoutCsrfTokenOrFromAForeignOrigin_403AndNothingStored()
    {
        using var visitor = new ConsentClient(fixture.Host);

        using var noToken = await visitor.PutAsync(ConsentClient.Body(true), csrf: false);
        using var foreign = await visitor.PutAsync(ConsentClient.Body(true), origin: "https://evil.example");

        await OnboardingApi.ProblemAsync(noToken, HttpStatusCode.Forbidden, "csrf");
        await OnboardingApi.ProblemAsync(foreign, HttpStatusCode.Forbidden, "csrf");
        Assert.Null(visitor.ConsentId);
    }

    [Fact]
    public async Task Put_Anonymous_TokenBoundToAnotherVisitorsCookie_403()
    {
        using var alice = new ConsentClient(fixture.Host);
        using var bob = new ConsentClient(fixture.Host);
        await alice.ChooseAsync(analytics: false);
        await bob.ChooseAsync(analytics: false);

        using var forged = await bob.PutAsync(ConsentClient.Body(true), token: await alice.CsrfTokenAsync());

        await OnboardingApi.ProblemAsync(forged, HttpStatusCode.Forbidden, "csrf");
        Assert.Single(await bob.HistoryAsync());
    }

    [Theory]
    [InlineData("{\"policyVersion\":\"2026-12-01\",\"source\":\"banner\",\"categories\":{\"necessary\":true,\"analytics\":true,\"tracking\":true}}", "categories")]
    [InlineData("{\"policyVersion\":\"1999-01-01\",\"source\":\"banner\",\"categories\":{\"necessary\":true,\"analytics\":true}}", "policyVersion")]
    [InlineData("{\"policyVersion\":\"2026-12-01\",\"source\":\"banner\",\"categories\":{\"necessary\":false,\"analytics\":true}}", "categories.necessary")]
    [InlineData("{\"policyVersion\":\"2026-12-01\",\"source\":\"popup\",\"categories\":{\"necessary\":true}}", "source")]
    [InlineData("{\"source\":\"banner\",\"categories\":{\"necessary\":true}}", "policyVersion")]
    public async Task Put_InvalidChoice_400NamingTheFieldAndNothingStored(string body, string field)
    {
        using var fresh = new ConsentClient(fixture.Host);
        using var known = new ConsentClient(fixture.Host);
        await known.ChooseAsync(analytics: false);

        using var first = await fresh.PutRawAsync(new StringContent(body, Encoding.UTF8, "application/json"));
        using var later = await known.PutRawAsync(new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await OnboardingApi.ProblemAsync(first, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        await OnboardingApi.ProblemAsync(later, HttpStatusCode.BadRequest, "validation");
        Assert.Null(fresh.ConsentId);
        Assert.Single(await known.HistoryAsync());
    }

    [Fact]
    public async Task Put_BodyOverTheLimit_413AndNothingStored()
    {
        using var visitor = new ConsentClient(fixture.Host);
        var padding = new string('x', 70 * 1024);

        using var response = await visitor.PutRawAsync(new StringContent("{\"policyVersion\":\"" + padding + "\"}", Encoding.UTF8, "application/json"));

        await OnboardingApi.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Null(visitor.ConsentId);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("not-a-consent-id")]
    public async Task NeverIssuedCookie_400ClearsTheCookieAndStoresNothing(string id)
    {
        using var visitor = new ConsentClient(fixture.Host) { ConsentId = id };
        var token = await visitor.CsrfTokenAsync();

        using var get = await visitor.GetAsync();
        visitor.ConsentId = id;
        using var put = await visitor.PutAsync(ConsentClient.Body(true), token: token);

        await OnboardingApi.ProblemAsync(get, HttpStatusCode.BadRequest, "consent-cookie-unknown");
        await OnboardingApi.ProblemAsync(put, HttpStatusCode.BadRequest, "consent-cookie-unknown");
        Assert.Contains("Max-Age=0", visitor.LastSetCookie, StringComparison.Ordinal);
        Assert.Null(visitor.ConsentId);
        if (id.Length == 32)
        {
            Assert.Null(await Store.LatestAsync(ConsentKey.Anonymous(id), Ct));
        }
    }

    [Fact]
    public async Task SignIn_FirstAuthenticatedCallWithTheCookie_LinksTheChoiceAndLaterChoicesFollowTheDevice()
    {
        using var browser = new ConsentClient(fixture.Host);
        await browser.ChooseAsync(analytics: true);
        var device = browser.ConsentId!;
        var user = HostFixture.NewUserId("link");

        browser.UserId = user; // signs in
        var signedIn = await browser.StateAsync();
        var again = await browser.StateAsync();

        Assert.Equal("user", signedIn.GetProperty("subject").GetString());
        Assert.True(signedIn.GetProperty("record").GetProperty("linked").GetBoolean());
        AssertCategories(signedIn, analytics: true, marketing: false, personalization: false);
        Assert.Single(await browser.HistoryAsync()); // linking twice copies nothing twice
        Assert.Equal(signedIn.GetProperty("record").GetProperty("recordedAt").GetDateTimeOffset(), again.GetProperty("record").GetProperty("recordedAt").GetDateTimeOffset());
        var userRef = await fixture.Services.GetRequiredService<SubjectReferences>().OfAsync(user, Ct);
        Assert.True(await Store.IsLinkedAsync(ConsentKey.User(userRef), device, Ct));

        // Withdrawn while signed in (a bearer call needs no CSRF token): the account and the device both say so.
        using (var withdraw = await browser.PutAsync(ConsentClient.Body(false, source: "settings"), csrf: false, origin: null))
        {
            Assert.Equal(HttpStatusCode.OK, withdraw.StatusCode);
        }

        Assert.Equal([true, false], (await browser.HistoryAsync()).Select(r => r.GetProperty("categories").GetProperty("analytics").GetBoolean()));
        browser.UserId = null; // signs out
        AssertCategories(await browser.StateAsync(), analytics: false, marketing: false, personalization: false);
        Assert.Equal(2, (await browser.HistoryAsync()).Length);
    }

    [Fact]
    public async Task SignedIn_WithACookieThatNamesNothing_AnswersForTheUserAndClearsIt()
    {
        using var browser = new ConsentClient(fixture.Host) { UserId = HostFixture.NewUserId("stale"), ConsentId = "0123456789abcdef0123456789abcdef" };

        var state = await browser.StateAsync();

        Assert.Equal("user", state.GetProperty("subject").GetString());
        Assert.Null(browser.ConsentId);
    }

    [Fact]
    public async Task NewPolicyVersion_RequiringNewConsent_BannerAsksAgainAndOnlyNecessaryHoldsUntilAnswered()
    {
        using var visitor = new ConsentClient(fixture.Host);
        await visitor.ChooseAsync(analytics: true);
        await using var published = await fixture.StartSecondHostAsync(new Dictionary<string, string?>
        {
            ["Consent__Policies__0__Version"] = ConsentClient.Current,
            ["Consent__Policies__1__Version"] = "2027-06-01",
        });
        using var onNewVersion = new ConsentClient(published) { ConsentId = visitor.ConsentId };

        var asked = await onNewVersion.StateAsync();
        using var oldVersion = await onNewVersion.PutAsync(ConsentClient.Body(true, policy: "2020-01-01"));
        var answered = await onNewVersion.ChooseAsync(analytics: true, policy: "2027-06-01");

        Assert.True(asked.GetProperty("ask").GetBoolean());
        Assert.Equal("2027-06-01", asked.GetProperty("policyVersion").GetString());
        Assert.Equal(ConsentClient.Current, asked.GetProperty("record").GetProperty("policyVersion").GetString());
        AssertCategories(asked, analytics: false, marketing: false, personalization: false);
        await OnboardingApi.ProblemAsync(oldVersion, HttpStatusCode.BadRequest, "validation");
        Assert.False(answered.GetProperty("ask").GetBoolean());
        AssertCategories(answered, analytics: true, marketing: false, personalization: false);
    }

    [Fact]
    public async Task EventFilter_FollowsTheUsersAnalyticsConsent()
    {
        var user = HostFixture.NewUserId("events");
        using var browser = new ConsentClient(fixture.Host) { UserId = user };
        var filter = fixture.Services.GetRequiredService<IOnboardingEventFilter>();
        var anEvent = new OnboardingEvent(OnboardingEventKind.StepStarted, user, "goal_selection", DateTimeOffset.UtcNow);

        var before = await filter.AllowsAsync(anEvent, Ct);
        await browser.ChooseAsync(analytics: true);
        var granted = await filter.AllowsAsync(anEvent, Ct);
        await browser.ChooseAsync(analytics: false);
        var withdrawn = await filter.AllowsAsync(anEvent, Ct);

        Assert.Single(fixture.Services.GetServices<IOnboardingEventFilter>());
        Assert.False(before);
        Assert.True(granted);
        Assert.False(withdrawn);
    }

    [Fact]
    public async Task Targeting_ExperimentFlags_NeedPersonalizationConsent_ReleaseRolloutsDoNot()
    {
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var experiment = await CreateFlagAsync(admin, "Experiment.Consent" + Guid.NewGuid().ToString("N")[..8]);
        var release = await CreateFlagAsync(admin, "Release" + Guid.NewGuid().ToString("N")[..8]);
        var gate = fixture.Services.GetRequiredService<IFeatureGate>();
        var (consenting, other) = (HostFixture.NewUserId("pers"), HostFixture.NewUserId("nopers"));
        using (var browser = new ConsentClient(fixture.Host) { UserId = consenting })
        {
            await browser.ChooseAsync(analytics: false, personalization: true);
        }

        await Eventually.HoldsAsync(async () => await gate.IsEnabledAsync(experiment, Caller(consenting), Ct), TimeSpan.FromSeconds(30), "the experiment reaches the snapshot");
        await Eventually.HoldsAsync(async () => await gate.IsEnabledAsync(release, Caller(other), Ct), TimeSpan.FromSeconds(30), "the release reaches the snapshot");

        Assert.False(await gate.IsEnabledAsync(experiment, Caller(other), Ct));
        using (var browser = new ConsentClient(fixture.Host) { UserId = other })
        {
            await browser.ChooseAsync(analytics: false, personalization: true);
        }

        Assert.True(await gate.IsEnabledAsync(experiment, Caller(other), Ct));
    }

    [Fact]
    public async Task Registry_DeclaresTheConsentCookieTablesAndEveryConsentModeSignal()
    {
        using var dpo = fixture.CreateClient(HostFixture.NewUserId("dpo"), "FR", "dpo");
        using var response = await dpo.GetAsync("/api/admin/privacy/registry", Ct);
        var registry = await PrivacyApi.JsonAsync(response);

        var cookie = registry.GetProperty("cookies").EnumerateArray().Single(c => c.GetProperty("name").GetString() == ConsentCookie.Name);
        Assert.Equal("Secure; HttpOnly; SameSite=Lax; Path=/", cookie.GetProperty("attributes").GetString());
        var stores = registry.GetProperty("dataMap").EnumerateArray().Where(s => s.GetProperty("kind").GetString() == "table").ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(1095, TimeSpan.Parse(stores[ConsentStore.UserTable].GetProperty("retention").GetProperty("period").GetString()!, System.Globalization.CultureInfo.InvariantCulture).TotalDays);
        Assert.Equal("pseudonymise", stores[ConsentStore.UserTable].GetProperty("erasure").GetProperty("action").GetString());
        Assert.Contains("17(3)(e)", stores[ConsentStore.UserTable].GetProperty("erasure").GetProperty("legalBasis").GetString(), StringComparison.Ordinal);
        Assert.Equal(395, TimeSpan.Parse(stores[ConsentStore.AnonymousTable].GetProperty("retention").GetProperty("period").GetString()!, System.Globalization.CultureInfo.InvariantCulture).TotalDays);
        var signals = registry.GetProperty("consentCategories").EnumerateArray().SelectMany(c => c.GetProperty("consentModeSignals").EnumerateArray().Select(s => s.GetString())).ToList();
        Assert.Equal(["ad_personalization", "ad_storage", "ad_user_data", "analytics_storage", "functionality_storage", "personalization_storage", "security_storage"], signals.Order());
    }

    [Fact]
    public async Task Banner_ScriptAndStylesheet_ServedCachedAndUnder8KbGzipped()
    {
        using var client = fixture.CreateClient();
        var total = 0L;
        foreach (var (path, type) in new[] { ("/api/consent/banner.js", "text/javascript"), ("/api/consent/banner.css", "text/css") })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
            var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
            Assert.DoesNotMatch("https?://", Encoding.UTF8.GetString(bytes)); // no third-party request: only URLs relative to itself
            total += Gzipped(bytes);

            using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
            conditional.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.Tag);
            using var unchanged = await client.SendAsync(conditional, Ct);
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        }

        // As served (not minified): a minifier could only make it smaller.
        Assert.InRange(total, 1, 8 * 1024);
    }

    [Fact]
    public async Task Demo_InDevelopment_ServesThePageWithItsOwnPolicy()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync("/api/consent/demo", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"banner.js\">", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    internal static void AssertCategories(JsonElement state, bool analytics, bool marketing, bool personalization)
    {
        var categories = state.GetProperty("categories");
        Assert.True(categories.GetProperty("necessary").GetBoolean());
        Assert.Equal((analytics, marketing, personalization), (categories.GetProperty("analytics").GetBoolean(), categories.GetProperty("marketing").GetBoolean(), categories.GetProperty("personalization").GetBoolean()));
    }


    private static Caller Caller(string userId) => new(userId, new HashSet<string> { Roles.User }, "FR", CredentialKind.Bearer);

    /// <summary>A flag on for everyone (a 100 % rollout).</summary>
    private static async Task<string> CreateFlagAsync(HttpClient admin, string name)
    {
        var document = "{\"id\":\"" + name + "\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":{\"Audience\":{\"Users\":[],\"Groups\":[],\"DefaultRolloutPercentage\":100}}}]}}";
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/feature-flags/{name}") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var created = await admin.SendAsync(put, Ct);
        Assert.True(created.StatusCode == HttpStatusCode.OK, await created.Content.ReadAsStringAsync(Ct));
        return name;
    }

    private static long Gzipped(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return buffer.Length;
    }
}
