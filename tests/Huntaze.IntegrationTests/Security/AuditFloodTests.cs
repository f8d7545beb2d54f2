using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;

namespace Huntaze.IntegrationTests.Security;

/// <summary>
/// The audit trail under a flood of junk credentials (bounded: 127.0.0.1 only, 300 requests/s for 10 s):
/// admin actions still answer 2xx with exactly one chain entry each, the chain verifies, and the denial
/// stream holds every refusal in a bounded number of rows (one per client, minute and instance).
/// </summary>
public sealed class AuditFloodTests(HostFixture fixture)
{
    private const int RequestsPerTick = 30;
    private const int Ticks = 100; // every 100 ms: 300 requests/s for 10 s
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Flood_BogusTokensDuringAdminActions_EveryAdminCallAuditedOnceAndDenialsBounded()
    {
        var prefix = "fl" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?> { ["Storage__TablePrefix"] = prefix });
        await host.WaitUntilOnboardingEnabledAsync();
        var adminId = HostFixture.NewUserId("admin");
        using var admin = OnboardingHostFixture.ClientFor(host, adminId, "US", "admin");
        using var junk = host.CreateClient();
        var started = DateTimeOffset.UtcNow;

        var flood = FloodAsync(junk);
        var correlationIds = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            correlationIds.Add(await AdminCallAsync(admin, "/api/admin/kill-switch", new { active = i % 2 == 0, reason = "flood drill " + i }));
        }

        correlationIds.Add(await AdminCallAsync(admin, $"/api/admin/onboarding/users/{HostFixture.NewUserId()}/reset", null));
        var (sent, statuses) = await flood;
        var ended = DateTimeOffset.UtcNow;

        Assert.Equal(Ticks * RequestsPerTick, sent);
        Assert.Equal([HttpStatusCode.Unauthorized], statuses.Distinct());
        var entries = (await AuditTests.QueryAsync(admin, $"/api/admin/audit?pageSize=200")).Items;
        Assert.All(entries, e => Assert.Equal(adminId, e.GetProperty("actor").GetString()));
        foreach (var correlationId in correlationIds)
        {
            Assert.Single(entries, e => e.GetProperty("correlationId").GetString() == correlationId);
        }

        Assert.True((await AuditTests.VerifyAsync(admin)).GetProperty("valid").GetBoolean());

        // Every refusal is counted, in at most one row per minute the flood touched (one client, one instance).
        var rows = new List<JsonElement>();
        await Eventually.HoldsAsync(async () =>
        {
            rows = (await AuditTests.QueryAsync(admin, "/api/admin/audit/denials?pageSize=200")).Items;
            return rows.Sum(r => r.GetProperty("total").GetInt64()) == sent;
        }, TimeSpan.FromSeconds(30), $"the denial stream counts all {sent} refusals", TimeSpan.FromMilliseconds(250));
        var minutesTouched = (int)(ended.ToUnixTimeSeconds() / 60 - started.ToUnixTimeSeconds() / 60) + 1;
        TestContext.Current.TestOutputHelper?.WriteLine($"{sent} refusals in {rows.Count} denial rows over {minutesTouched} minute(s), {(ended - started).TotalSeconds:0.0} s");
        Assert.InRange(rows.Count, 1, minutesTouched);
        Assert.All(rows, r => Assert.Equal("ip:127.0.0.1", r.GetProperty("client").GetString()));
    }

    /// <summary>One admin POST with a correlation id of its own; it must answer 2xx.</summary>
    private static async Task<string> AdminCallAsync(HttpClient admin, string path, object? body)
    {
        var correlationId = "flood-" + Guid.NewGuid().ToString("N")[..12];
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = body is null ? null : new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Correlation-ID", correlationId);
        using var response = await admin.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return correlationId;
    }

    /// <summary>Paced junk: garbage, a token signed with another key, an expired one; against admin reads and writes.</summary>
    private static async Task<(int Sent, List<HttpStatusCode> Statuses)> FloodAsync(HttpClient junk)
    {
        var forged = Forge();
        var statuses = new List<HttpStatusCode>();
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var tick = 0; tick < Ticks; tick++)
        {
            for (var i = 0; i < RequestsPerTick; i++)
            {
                var n = tick * RequestsPerTick + i;
                inFlight.Add(SendAsync(junk, n, n % 3 == 0 ? "junk-" + n : forged, statuses));
            }

            var next = Tick * (tick + 1) - clock.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next, Ct);
            }
        }

        await Task.WhenAll(inFlight);
        return (inFlight.Count, statuses);
    }

    private static async Task SendAsync(HttpClient junk, int n, string token, List<HttpStatusCode> statuses)
    {
        using var request = new HttpRequestMessage(n % 2 == 0 ? HttpMethod.Post : HttpMethod.Get, n % 2 == 0 ? "/api/admin/kill-switch" : "/api/admin/audit");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await junk.SendAsync(request, Ct);
        lock (statuses)
        {
            statuses.Add(response.StatusCode);
        }
    }

    /// <summary>A well-formed admin token signed with a key the host does not know.</summary>
    private static string Forge() => Huntaze.Cli.Tokens.DevTokenFactory.Create(
        new Huntaze.Cli.Tokens.DevTokenRequest("intruder", ["admin"], null, HostFixture.Issuer, HostFixture.Audience,
            Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), TimeSpan.FromMinutes(5)),
        DateTimeOffset.UtcNow);
}
