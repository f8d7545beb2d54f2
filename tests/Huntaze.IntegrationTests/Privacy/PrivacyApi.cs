using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>Calls of the privacy API as a user and as a DPO, and waiting for a request to close.</summary>
public sealed class PrivacyApi(Func<HttpClient> createClient)
{
    public PrivacyApi(LocalHostInstance host)
        : this((host ?? throw new ArgumentNullException(nameof(host))).CreateClient)
    {
    }

    /// <summary>A local host process (restart tests).</summary>
    public PrivacyApi(LocalHostProcess host)
        : this((host ?? throw new ArgumentNullException(nameof(host))).CreateClient)
    {
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public HttpClient User(string userId, string market = "FR") => Client(userId, market, "user");

    public HttpClient Dpo() => Client(HostFixture.NewUserId("dpo"), "FR", "dpo");

    public HttpClient Admin() => Client(HostFixture.NewUserId("admin"), "FR", "admin");

    public HttpClient Client(string userId, string market, params string[] roles)
    {
        var client = createClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(userId, market, roles));
        return client;
    }

    public static async Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, object body) =>
        await client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), Ct);

    /// <summary>Opens a request as the user; returns its id (202 new, 200 the open identical one).</summary>
    public static async Task<string> OpenAsync(HttpClient user, object body)
    {
        using var response = await PostJsonAsync(user, "/api/privacy/requests", body);
        var json = await JsonAsync(response);
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"{(int)response.StatusCode}: {json}");
        return json.GetProperty("id").GetString()!;
    }

    /// <summary>Polls the DPO view until the request is closed (the DPO polls: a user's own polling would create new rate-limit rows).</summary>
    public async Task<JsonElement> WaitClosedAsync(string id, TimeSpan? timeout = null)
    {
        using var dpo = Dpo();
        JsonElement last = default;
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await dpo.GetAsync($"/api/admin/dsr/{id}", Ct);
            last = await JsonAsync(response);
            return response.IsSuccessStatusCode && last.GetProperty("status").GetString() is not ("open" or "running" or "awaiting_dpo");
        }, timeout ?? TimeSpan.FromSeconds(90), $"request {id} closes", TimeSpan.FromMilliseconds(200));
        return last;
    }

    public async Task<JsonElement> WaitStatusAsync(string id, string status)
    {
        using var dpo = Dpo();
        JsonElement last = default;
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await dpo.GetAsync($"/api/admin/dsr/{id}", Ct);
            last = await JsonAsync(response);
            return response.IsSuccessStatusCode && last.GetProperty("status").GetString() == status;
        }, TimeSpan.FromSeconds(90), $"request {id} reaches {status}", TimeSpan.FromMilliseconds(200));
        return last;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static JsonContent Json(object body) => JsonContent.Create(body);
}
