using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Flags;

/// <summary>The admin flag API over HTTP on the shared host; each test uses a flag name of its own.</summary>
public sealed class FlagAdminApiTests(HostFixture fixture)
{
    [Fact]
    public async Task Put_StaleIfMatch_Returns412()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();
        using var created = await PutAsync(admin, name, Document(name, enabled: false), ifNoneMatch: "*", ct: ct);
        var firstETag = created.Headers.ETag!.ToString();
        using var updated = await PutAsync(admin, name, Document(name, enabled: true), ifMatch: firstETag, ct: ct);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        using var stale = await PutAsync(admin, name, Document(name, enabled: false), ifMatch: firstETag, ct: ct);

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("abc, def")]
    [InlineData("*")]
    [InlineData("\"a\", \"b\"")]
    public async Task Put_MalformedOrListIfMatch_Returns400(string ifMatch)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();
        using var created = await PutAsync(admin, name, Document(name, enabled: false), ifNoneMatch: "*", ct: ct);

        using var response = await PutAsync(admin, name, Document(name, enabled: true), ifMatch: ifMatch, ct: ct);

        await Platform.RoutingTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
    }

    [Theory]
    [InlineData("{\"id\":\"NAME\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":{\"Audience\":{\"DefaultRolloutPercentage\":150}}}]}}", "percentages must be between 0 and 100")]
    [InlineData("{\"id\":\"NAME\",\"enabled\":tru", "not valid JSON")]
    [InlineData("{\"id\":\"NAME\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":5}]}}", "parameters' must be an object")]
    [InlineData("{\"id\":\"NAME\",\"enabled\":true,\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":[\"Audience\"]}]}}", "parameters' must be an object")]
    public async Task Put_InvalidDocument_Returns400NamingTheProblem(string template, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();

        using var response = await PutAsync(admin, name, template.Replace("NAME", name, StringComparison.Ordinal), ifNoneMatch: "*", ct: ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await DetailAsync(response, ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_PortalDocumentWithCustomFilterAndTelemetry_IsAcceptedAndReportsWhatIsIgnored()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();
        var document = $"{{\"id\":\"{name}\",\"enabled\":true,\"display_name\":\"Shown\",\"telemetry\":{{\"enabled\":false}},\"conditions\":{{\"client_filters\":[{{\"name\":\"Contoso.Custom\"}}]}}}}";

        using var response = await PutAsync(admin, name, document, ifNoneMatch: "*", ct: ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal("Shown", body.RootElement.GetProperty("document").GetProperty("display_name").GetString());
        Assert.Equal(3, body.RootElement.GetProperty("ignored").GetArrayLength());
    }

    [Fact]
    public async Task Put_WellFormedIfMatchThatIsNotOurs_Returns412()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();
        using var created = await PutAsync(admin, name, Document(name, enabled: false), ifNoneMatch: "*", ct: ct);

        using var response = await PutAsync(admin, name, Document(name, enabled: true), ifMatch: "\"not-one-of-ours\"", ct: ct);

        await Platform.RoutingTests.AssertProblemAsync(response, HttpStatusCode.PreconditionFailed, "precondition-failed");
    }

    [Fact]
    public async Task Put_DocumentLongerThanOneTableProperty_IsStoredAndReadBack()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();
        var users = string.Join(",", Enumerable.Range(0, 1_200).Select(i => $"\"user-{i:D5}-{Guid.Empty:N}\""));
        var document = $"{{\"id\":\"{name}\",\"enabled\":true,\"conditions\":{{\"client_filters\":[{{\"name\":\"Microsoft.Targeting\",\"parameters\":{{\"Audience\":{{\"Users\":[{users}]}}}}}}]}}}}";
        Assert.True(document.Length > 32_768);

        using var created = await PutAsync(admin, name, document, ifNoneMatch: "*", ct: ct);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        using var read = await admin.GetAsync($"/api/admin/feature-flags/{name}", ct);
        using var body = JsonDocument.Parse(await read.Content.ReadAsStringAsync(ct));
        Assert.Equal(1_200, body.RootElement.GetProperty("document").GetProperty("conditions").GetProperty("client_filters")[0]
            .GetProperty("parameters").GetProperty("Audience").GetProperty("Users").GetArrayLength());
    }

    [Fact]
    public async Task Patch_IfMatchOnAbsentFlag_Returns412AndCreatesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/admin/feature-flags/{name}") { Content = new StringContent("{\"enabled\":true}", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", "\"anything\"");

        using var response = await admin.SendAsync(request, ct);
        using var get = await admin.GetAsync($"/api/admin/feature-flags/{name}", ct);

        await Platform.RoutingTests.AssertProblemAsync(response, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Put_ColonInName_Returns400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");

        using var response = await PutAsync(admin, "bad:name", Document("bad:name", true), ifNoneMatch: "*", ct: ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("contains ':'", await DetailAsync(response, ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_WithoutPrecondition_Returns428()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();

        using var response = await PutAsync(admin, name, Document(name, true), ct: ct);

        Assert.Equal((HttpStatusCode)428, response.StatusCode);
    }

    [Fact]
    public async Task Patch_SimpleForm_MapsOntoTargetingFilter()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();

        using var response = await admin.PatchAsync(
            $"/api/admin/feature-flags/{name}",
            new StringContent("{\"enabled\":true,\"rolloutPercentage\":25,\"markets\":[\"fr\"]}", Encoding.UTF8, "application/json"),
            ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var group = body.RootElement.GetProperty("document").GetProperty("conditions").GetProperty("client_filters")[0]
            .GetProperty("parameters").GetProperty("Audience").GetProperty("Groups")[0];
        Assert.Equal("market:FR", group.GetProperty("Name").GetString());
        Assert.Equal(25, group.GetProperty("RolloutPercentage").GetDouble());
    }

    [Fact]
    public async Task Rollout_AdvancingBeforeDwell_Returns409UnlessForced()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = NewFlagName();
        using (await PutAsync(admin, name, Document(name, false), ifNoneMatch: "*", ct: ct))
        using (var toInternal = await RolloutAsync(admin, name, "internal", false, ct))
        {
            Assert.Equal(HttpStatusCode.OK, toInternal.StatusCode);
        }

        using var early = await RolloutAsync(admin, name, "5", false, ct);
        using var forced = await RolloutAsync(admin, name, "5", true, ct);

        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
    }

    [Fact]
    public async Task Put_Update_IsAuditedWithBeforeAndAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        var adminId = HostFixture.NewUserId("admin");
        using var admin = fixture.CreateClient(adminId, "FR", "admin");
        var name = NewFlagName();
        using var created = await PutAsync(admin, name, Document(name, enabled: false), ifNoneMatch: "*", ct: ct);
        using (await PutAsync(admin, name, Document(name, enabled: true), ifMatch: created.Headers.ETag!.ToString(), ct: ct))
        {
        }

        using var audit = await admin.GetAsync($"/api/admin/audit?target=feature-flag:{name}", ct);

        using var body = JsonDocument.Parse(await audit.Content.ReadAsStringAsync(ct));
        var update = body.RootElement.GetProperty("items").EnumerateArray().Last();
        Assert.Equal(adminId, update.GetProperty("actor").GetString());
        Assert.Equal("flags.put", update.GetProperty("action").GetString());
        Assert.Contains("\"enabled\":false", update.GetProperty("details").GetProperty("before").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"enabled\":true", update.GetProperty("details").GetProperty("after").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Features_User_GetsTheAllowlistedFlagsOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        using var user = fixture.CreateClient(HostFixture.NewUserId(), "FR", "user");

        using var response = await user.GetAsync("/api/features", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal(["Onboarding"], body.RootElement.GetProperty("features").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task List_NonAdmin_IsForbidden()
    {
        var ct = TestContext.Current.CancellationToken;
        using var user = fixture.CreateClient(HostFixture.NewUserId(), "FR", "user");

        using var response = await user.GetAsync("/api/admin/feature-flags", ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("detail").GetString()!;
    }

    internal static string Document(string name, bool enabled) => $"{{\"id\":\"{name}\",\"enabled\":{(enabled ? "true" : "false")}}}";

    internal static Task<HttpResponseMessage> PutAsync(HttpClient client, string name, string document, string? ifMatch = null, string? ifNoneMatch = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/feature-flags/{name}")
        {
            Content = new StringContent(document, Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        }

        return client.SendAsync(request, ct);
    }

    private static Task<HttpResponseMessage> RolloutAsync(HttpClient client, string name, string stage, bool force, CancellationToken ct) =>
        client.PostAsync(
            $"/api/admin/feature-flags/{name}/rollout",
            new StringContent($"{{\"stage\":\"{stage}\",\"force\":{(force ? "true" : "false")}}}", Encoding.UTF8, "application/json"),
            ct);

    private static string NewFlagName() => "Test." + Guid.NewGuid().ToString("N")[..12];
}
