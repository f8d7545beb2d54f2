using System.Net;
using System.Text;
using Huntaze.IntegrationTests.Infrastructure;
using static Huntaze.IntegrationTests.Onboarding.OnboardingApi;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>Bad input gets a 4xx problem+json, never a 500, and changes nothing.</summary>
[Collection(OnboardingTestGroup.Name)]
public sealed class MalformedInputTests(OnboardingHostFixture host)
{
    public static TheoryData<string> Bodies() => new()
    {
        """{"status":5}""",
        """{"status":"completed","status":"skipped"}""",
        """{"status":"in_progress","data":"text"}""",
        """{"status":"in_progress","data":[1,2]}""",
        """{"status":"in_progress","unknown":true}""",
        """{"status":"in_progress","version":"one"}""",
        """{"status":"in_progress","data":""" + new string('[', 40) + new string(']', 40) + "}",
        """{"status":"in_progress","data":{"a":""" + string.Concat(Enumerable.Repeat("{\"b\":", 10)) + "1" + new string('}', 10) + "}}",
        """{"status":"in_progress","data":{"text":" """ + new string('x', 5000) + "\"}}",
        """{"status":""",
        "null",
        "[]",
        "",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Patch_MalformedBody_Returns4xxAndChangesNothing(string body)
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var response = await api.PatchAsync("creator_assessment", body, "\"step-0\"");

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var read = await api.GetStepAsync("creator_assessment");
        Assert.Equal("\"step-0\"", ETagOf(read));
    }

    [Fact]
    public async Task Patch_HugeBody_Returns413()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        var body = """{"status":"in_progress","data":{"text":" """ + new string('x', 100_000) + "\"}}";

        using var response = await api.PatchAsync("creator_assessment", body, "\"step-0\"");

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task Patch_FormContentType_Returns415()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var response = await api.PatchAsync("creator_assessment", "status=completed", "\"step-0\"", "application/x-www-form-urlencoded");

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Theory]
    [InlineData("Creator_Assessment")]
    [InlineData("x")]
    [InlineData("%2E%2E%2Fsecret")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Patch_BadStepId_Returns4xx(string stepId)
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var response = await api.PatchAsync(stepId, """{"status":"completed"}""", "\"step-0\"");

        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Theory]
    [InlineData("""{"days":"seven"}""")]
    [InlineData("""{"days":7,"days":8}""")]
    [InlineData("""{"days":1e400}""")]
    [InlineData("""{}""")]
    public async Task Snooze_MalformedBody_Returns400(string body)
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/onboarding/snooze") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await api.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Patch_LoneSurrogateEscapeInData_Returns400AndStoresNothing()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var response = await api.PatchAsync("creator_assessment", """{"status":"in_progress","data":{"note":"\ud800"}}""", "\"step-0\"");

        await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        using var read = await api.GetStepAsync("creator_assessment");
        Assert.Equal("\"step-0\"", ETagOf(read));
    }

    [Fact]
    public async Task Patch_InvalidUtf8InData_Returns400AndStoresNothing()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        byte[] body = [.. """{"status":"in_progress","data":{"note":"a"""u8, 0xFF, 0xFE, .. "\"}}"u8];
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/onboarding/steps/creator_assessment") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("If-Match", "\"step-0\"");

        using var response = await api.Client.SendAsync(request, TestContext.Current.CancellationToken);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        using var read = await api.GetStepAsync("creator_assessment");
        Assert.Equal("\"step-0\"", ETagOf(read));
    }

    /// <summary>The 4 KB limit is UTF-8 bytes: 1,900 "é" are 3,800 bytes (but 11,400 characters as \u00e9 escapes).</summary>
    [Fact]
    public async Task Patch_DataLimit_CountsUtf8Bytes()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        var fits = "{\"status\":\"in_progress\",\"data\":{\"note\":\"" + new string('é', 1900) + "\"}}";
        var tooLarge = "{\"status\":\"in_progress\",\"data\":{\"note\":\"" + new string('é', 2100) + "\"}}";

        using var accepted = await api.PatchAsync("creator_assessment", fits, "\"step-0\"");
        using var refused = await api.PatchAsync("creator_assessment", tooLarge, ETagOf(accepted));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(new string('é', 1900), (await JsonAsync(accepted)).GetProperty("data").GetProperty("note").GetString());
        await ProblemAsync(refused, HttpStatusCode.BadRequest, "validation");
    }

    [Theory]
    [InlineData("""{"days":"5"}""")]
    [InlineData("""{"days":"5e0"}""")]
    public async Task Snooze_NumberSentAsString_Returns400(string body)
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/onboarding/snooze") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await api.Client.SendAsync(request, TestContext.Current.CancellationToken);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
    }

    [Fact]
    public async Task Patch_VersionSentAsString_Returns400()
    {
        using var api = host.Api(HostFixture.NewUserId(), "US");

        using var response = await api.PatchAsync("creator_assessment", """{"status":"in_progress","version":"0"}""");

        await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
    }

    [Fact]
    public async Task AdminGet_BadUserId_Returns400()
    {
        using var admin = host.Api(HostFixture.NewUserId("admin"), "US", "admin");

        using var response = await admin.Client.GetAsync("/api/admin/onboarding/users/a%23b", TestContext.Current.CancellationToken);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }
}
