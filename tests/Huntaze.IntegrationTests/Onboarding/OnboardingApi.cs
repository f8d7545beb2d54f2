using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Huntaze.IntegrationTests.Onboarding;

/// <summary>A caller of the onboarding API; responses are returned whole for the test to assert on.</summary>
public sealed class OnboardingApi(HttpClient client) : IDisposable
{
    public HttpClient Client => client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<HttpResponseMessage> GetViewAsync(string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/onboarding");
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await client.SendAsync(request, Ct);
    }

    public Task<HttpResponseMessage> GetStepAsync(string stepId) => client.GetAsync($"/api/onboarding/steps/{stepId}", Ct);

    public async Task<HttpResponseMessage> PatchAsync(string stepId, string body, string? ifMatch = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/onboarding/steps/{stepId}")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request, Ct);
    }

    public Task<HttpResponseMessage> PatchAsync(string stepId, object body, string? ifMatch = null) =>
        PatchAsync(stepId, JsonSerializer.Serialize(body), ifMatch);

    public async Task<HttpResponseMessage> PostAsync(string path, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = body is null ? null : new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>Completes steps in order, each with the ETag just read.</summary>
    public async Task CompleteAsync(params string[] stepIds)
    {
        foreach (var stepId in stepIds)
        {
            using var read = await GetStepAsync(stepId);
            using var write = await PatchAsync(stepId, new { status = "completed" }, ETagOf(read));
            Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        }
    }

    public static string ETagOf(HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new Xunit.Sdk.XunitException($"{(int)response.StatusCode} has no ETag.");

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a problem+json answer of the given status and type slug; returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string slug)
    {
        var body = await JsonAsync(response);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://huntaze.com/problems/" + slug, body.GetProperty("type").GetString());
        return body;
    }

    public static EntityTagHeaderValue Tag(string etag) => EntityTagHeaderValue.Parse(etag);

    public void Dispose() => client.Dispose();
}
