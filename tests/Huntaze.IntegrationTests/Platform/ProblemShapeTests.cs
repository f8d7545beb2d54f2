using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>Problems look the same everywhere: details in the API's words, <c>errors</c> always a map field → messages.</summary>
public sealed partial class ProblemShapeTests(HostFixture fixture)
{
    public static TheoryData<string, string, string, string> WrongTypes() => new()
    {
        { "POST", "/api/admin/kill-switch", """{"active":"yes"}""", "'$.active' must be true or false." },
        { "PATCH", "/api/admin/feature-flags/Test.Shape", """{"enabled":"yes"}""", "'$.enabled' must be true or false." },
        { "PATCH", "/api/onboarding/steps/creator_assessment", """{"status":"in_progress","version":"one"}""", "'$.version' must be an integer (a JSON number, not a string)." },
        { "PATCH", "/api/onboarding/steps/creator_assessment", """{"status":5}""", "'$.status' must be one of not_started, in_progress, completed, skipped, needs_review." },
        { "PATCH", "/api/onboarding/steps/creator_assessment", """{"status":"in_progress","extra":1}""", "'$.extra' is not a member this endpoint accepts." },
        { "PATCH", "/api/admin/feature-flags/Test.Shape", """{"markets":"FR"}""", "'$.markets' must be an array." },
        { "POST", "/api/onboarding/snooze", """{"days":true}""", "'$.days' must be an integer (a JSON number, not a string)." },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task MalformedJson_WrongType_DetailNamesTheExpectedKindNotADotNetType(string method, string path, string body, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = fixture.CreateClient(HostFixture.NewUserId("admin"), "US", "admin", "user");
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", "\"step-0\"");

        using var response = await client.SendAsync(request, ct);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json", ct);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.DoesNotMatch(DotNetTypeName(), detail);
        Assert.Equal(expected, detail);
    }

    [Fact]
    public async Task Validation_FlagPatchWithTwoBadFields_ErrorsMapEachFieldToItsMessages()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");

        using var response = await admin.PatchAsync(
            "/api/admin/feature-flags/Test.Shape" + Guid.NewGuid().ToString("N")[..8],
            new StringContent("""{"rolloutPercentage":150,"markets":["FRA","D3"]}""", Encoding.UTF8, "application/json"),
            ct);

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest, "validation", ct)).GetProperty("errors");
        Assert.Equal(JsonValueKind.Object, errors.ValueKind);
        Assert.Equal(["markets", "rolloutPercentage"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, errors.GetProperty("markets").GetArrayLength());
        Assert.All(errors.EnumerateObject(), p => Assert.All(p.Value.EnumerateArray(), m => Assert.Equal(JsonValueKind.String, m.ValueKind)));
    }

    [Fact]
    public async Task Validation_FlagPutInvalidDocument_ErrorsIsAMapToo()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");
        var name = "Test.Shape" + Guid.NewGuid().ToString("N")[..8];

        using var response = await Flags.FlagAdminApiTests.PutAsync(admin, name, $$"""{"id":"{{name}}","enabled":true,"conditions":[]}""", ifNoneMatch: "*", ct: ct);

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest, "validation", ct)).GetProperty("errors");
        Assert.Equal(JsonValueKind.Object, errors.ValueKind);
        Assert.All(errors.EnumerateObject(), p => Assert.Equal(JsonValueKind.Array, p.Value.ValueKind));
    }

    [Fact]
    public async Task Validation_SnoozeOutOfRange_ErrorsNamesTheField()
    {
        var ct = TestContext.Current.CancellationToken;
        using var user = fixture.CreateClient(HostFixture.NewUserId(), "FR");

        using var response = await user.PostAsync("/api/onboarding/snooze", new StringContent("""{"days":31}""", Encoding.UTF8, "application/json"), ct);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "validation", ct);
        Assert.Equal(JsonValueKind.String, problem.GetProperty("errors").GetProperty("days")[0].ValueKind);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string slug, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("https://huntaze.com/problems/" + slug, body.GetProperty("type").GetString());
        return body;
    }

    [GeneratedRegex(@"\b(System|Int16|Int32|Int64|Boolean|Double|Decimal|Nullable|JsonElement|Huntaze)\b|\.NET|Request'|`1")]
    private static partial Regex DotNetTypeName();
}
