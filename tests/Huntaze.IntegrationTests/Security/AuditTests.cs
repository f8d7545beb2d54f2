using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Security.Audit;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Security;

public sealed class AuditTests(HostFixture fixture)
{
    [Fact]
    public async Task Forbidden_IsRecordedInTheDenialStreamNotTheChain()
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
        var row = await SingleDenialRowAsync(dpo, "user:" + user);

        Assert.Equal(1, row.GetProperty("total").GetInt64());
        Assert.Equal(1, row.GetProperty("byAction").GetProperty("access.forbidden").GetInt64());
        Assert.Equal(["AuditQuery"], row.GetProperty("functions").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("audit-" + user[^12..], row.GetProperty("lastCorrelationId").GetString());
        Assert.Empty((await QueryAsync(dpo, $"/api/admin/audit?actor={user}")).Items);
    }

    [Fact]
    public async Task Query_PageSizeTwo_PagesThroughWithContinuation()
    {
        var reader = HostFixture.NewUserId("dpo");
        using var dpo = fixture.CreateClient(reader, "FR", "dpo");
        for (var i = 0; i < 3; i++)
        {
            using var response = await dpo.GetAsync("/api/admin/audit/verify?from=2000-01-01&to=2000-01-02", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var admin = fixture.CreateClient(HostFixture.NewUserId(), "FR", "admin");
        var seen = 0;
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await QueryAsync(admin, $"/api/admin/audit?actor={reader}&pageSize=2" + (continuation is null ? "" : "&continuation=" + continuation));
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
    public async Task Query_DateOnlyTo_IncludesThatWholeDay()
    {
        var reader = HostFixture.NewUserId("dpo");
        using var dpo = fixture.CreateClient(reader, "FR", "dpo");
        using (var response = await dpo.GetAsync("/api/admin/audit/verify?from=2000-01-01&to=2000-01-02", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var items = (await QueryAsync(dpo, $"/api/admin/audit?actor={reader}&from={today}&to={today}")).Items;

        Assert.Equal("audit.verify", Assert.Single(items).GetProperty("action").GetString());
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
    [InlineData("/api/admin/audit/denials?client=%%LONG%%")]
    [InlineData("/api/admin/audit/denials?to=2026-13-01")]
    [InlineData("/api/admin/audit/denials?pageSize=0")]
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
        using var reader = host.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["dpo"]));
        for (var i = 0; i < 3; i++)
        {
            using var response = await reader.GetAsync("/api/admin/audit/denials", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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
    public async Task Append_ConcurrentAdminReads_ChainStaysValidWithEveryEntry()
    {
        var prefix = "c" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await fixture.StartSecondHostAsync(new Dictionary<string, string?> { ["Storage__TablePrefix"] = prefix });
        using var reader = host.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new("Bearer", HostFixture.CreateToken(HostFixture.NewUserId(), "FR", ["dpo"]));

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => reader.GetAsync("/api/admin/audit/denials", TestContext.Current.CancellationToken)));
        TestContext.Current.TestOutputHelper?.WriteLine($"30 concurrent audited reads in {stopwatch.ElapsedMilliseconds} ms");

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
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

    /// <summary>Denials are written in the background: waits for the client's row (one instance, one minute here).</summary>
    internal static async Task<JsonElement> SingleDenialRowAsync(HttpClient reader, string client)
    {
        JsonElement row = default;
        await Eventually.HoldsAsync(async () =>
        {
            var items = (await QueryAsync(reader, "/api/admin/audit/denials?client=" + Uri.EscapeDataString(client))).Items;
            row = items.SingleOrDefault();
            return items.Count == 1;
        }, TimeSpan.FromSeconds(30), $"the denial stream has a row for {client}", TimeSpan.FromMilliseconds(250));
        return row;
    }

    internal static async Task<JsonElement> VerifyAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync("/api/admin/audit/verify", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
    }

    internal static async Task<(List<JsonElement> Items, string? Continuation)> QueryAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // Null members are omitted (ApiJson): no token means the last page.
        var continuation = body.RootElement.TryGetProperty("continuationToken", out var token) ? token.GetString() : null;
        return ([.. body.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())], continuation);
    }
}
