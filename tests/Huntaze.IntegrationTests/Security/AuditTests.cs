using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Security.Audit;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Security;

public sealed class AuditTests(HostFixture fixture)
{
    [Fact]
    public async Task Forbidden_IsAuditedWithActorAndCorrelationId()
    {
        var user = HostFixture.NewUserId();
        using var denied = fixture.CreateClient(user, "FR", "support");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/audit");
        request.Headers.Add("X-Correlation-ID", "audit-" + user[^12..]);
        using (var response = await denied.SendAsync(request, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var dpo = fixture.CreateClient(HostFixture.NewUserId(), "FR", "dpo");
        var items = await QueryAsync(dpo, $"/api/admin/audit?actor={user}");

        var entry = Assert.Single(items.Items);
        Assert.Equal("access.forbidden", entry.GetProperty("action").GetString());
        Assert.Equal("function:AuditQuery", entry.GetProperty("target").GetString());
        Assert.Equal("audit-" + user[^12..], entry.GetProperty("correlationId").GetString());
    }

    [Fact]
    public async Task Query_PageSizeTwo_PagesThroughWithContinuation()
    {
        var user = HostFixture.NewUserId();
        using var denied = fixture.CreateClient(user, "FR", "user");
        for (var i = 0; i < 3; i++)
        {
            using var response = await denied.GetAsync("/api/admin/audit", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var admin = fixture.CreateClient(HostFixture.NewUserId(), "FR", "admin");
        var seen = 0;
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await QueryAsync(admin, $"/api/admin/audit?actor={user}&pageSize=2" + (continuation is null ? "" : "&continuation=" + continuation));
            Assert.True(page.Items.Count <= 2);
            seen += page.Items.Count;
            continuation = page.Continuation;
            pages++;
        }
        while (continuation is not null && pages < 10);

        Assert.Equal(3, seen);
        Assert.True(pages >= 2);
    }

    [Fact]
    public async Task Query_InvalidRange_Returns400()
    {
        using var admin = fixture.CreateClient(HostFixture.NewUserId(), "FR", "admin");

        using var response = await admin.GetAsync("/api/admin/audit?from=2026-02-01&to=2026-01-01", TestContext.Current.CancellationToken);

        await Platform.RoutingTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Theory]
    [InlineData("/api/admin/audit?to=0001-01-01")]
    [InlineData("/api/admin/audit/verify?to=9999-12-31")]
    [InlineData("/api/admin/audit?from=11/25/2026")]
    [InlineData("/api/admin/audit?continuation=!!!")]
    [InlineData("/api/admin/audit?continuation=%%LONG%%")]
    [InlineData("/api/admin/audit?actor=%%LONG%%")]
    public async Task Query_MalformedParameters_Returns400NotA500(string path)
    {
        using var admin = fixture.CreateClient(HostFixture.NewUserId(), "FR", "admin");

        using var response = await admin.GetAsync(path.Replace("%%LONG%%", new string('a', 600), StringComparison.Ordinal), TestContext.Current.CancellationToken);

        await Platform.RoutingTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Verify_AfterStoredEntryEdited_FailsNamingTheEntry()
    {
        // Its own tables, so that breaking the chain cannot disturb other tests.
        var prefix = "v" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?> { ["Storage__TablePrefix"] = prefix });
        using var denied = host.CreateClient();
        denied.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["user"]));
        for (var i = 0; i < 3; i++)
        {
            using var response = await denied.GetAsync("/api/admin/audit/verify", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var admin = host.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["admin"]));
        var before = await VerifyAsync(admin);
        Assert.True(before.GetProperty("valid").GetBoolean());

        var table = new TableClient(fixture.Azurite.ConnectionString, prefix + TableAuditLog.TableName);
        var partition = TableAuditLog.PartitionFor(DateTimeOffset.UtcNow);
        var second = (await table.GetEntityAsync<TableEntity>(partition, TableAuditLog.RowKeyFor(2), cancellationToken: TestContext.Current.CancellationToken)).Value;
        second["Outcome"] = "allowed";
        await table.UpdateEntityAsync(second, second.ETag, TableUpdateMode.Replace, TestContext.Current.CancellationToken);

        var after = await VerifyAsync(admin);

        Assert.False(after.GetProperty("valid").GetBoolean());
        Assert.Equal(2, after.GetProperty("firstBroken").GetProperty("sequence").GetInt64());
        Assert.Equal(partition, after.GetProperty("firstBroken").GetProperty("partition").GetString());
    }

    [Fact]
    public async Task Append_ConcurrentDenials_ChainStaysValidWithEveryEntry()
    {
        var prefix = "c" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?> { ["Storage__TablePrefix"] = prefix });
        using var denied = host.CreateClient();
        denied.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["support"]));

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => denied.GetAsync("/api/admin/audit", TestContext.Current.CancellationToken)));
        TestContext.Current.TestOutputHelper?.WriteLine($"30 concurrent audited 403s in {stopwatch.ElapsedMilliseconds} ms");

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        using var admin = host.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["admin"]));
        var result = await VerifyAsync(admin);
        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.Equal(30, result.GetProperty("entriesChecked").GetInt64());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static async Task<JsonElement> VerifyAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync("/api/admin/audit/verify", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }

    private static async Task<(List<JsonElement> Items, string? Continuation)> QueryAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // Null members are omitted (ApiJson): no token means the last page.
        var continuation = body.RootElement.TryGetProperty("continuationToken", out var token) ? token.GetString() : null;
        return ([.. body.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())], continuation);
    }
}
