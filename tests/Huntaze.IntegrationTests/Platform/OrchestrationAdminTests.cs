using System.Net;
using System.Text.Json;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.TestFunctions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>GET /api/admin/orchestrations, GET …/{id}, POST …/{id}/terminate on the fixture host (Azure Storage provider).</summary>
public sealed class OrchestrationAdminTests(HostFixture fixture)
{
    private DurableTaskClient Durable => fixture.Services.GetRequiredService<DurableTaskClient>();

    [Fact]
    public async Task List_ByStatus_ReturnsOnlyInstancesInThatStatus()
    {
        var ct = TestContext.Current.CancellationToken;
        var running = await Durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.WaitForEvent, cancellation: ct);
        var completed = await Durable.ScheduleNewOrchestrationInstanceAsync("TestFanOut", new FanOutInput(2), ct);
        await Durable.WaitForInstanceStartAsync(running, ct);
        await Durable.WaitForInstanceCompletionAsync(completed, ct);
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");

        var runningIds = await ListAllAsync(admin, "running");
        var completedIds = await ListAllAsync(admin, "completed,failed");

        Assert.Contains(running, runningIds);
        Assert.DoesNotContain(completed, runningIds);
        Assert.Contains(completed, completedIds);
        Assert.DoesNotContain(running, completedIds);
        await Durable.TerminateInstanceAsync(running, cancellation: ct);
    }

    [Theory]
    [InlineData("/api/admin/orchestrations?status=sleeping")]
    [InlineData("/api/admin/orchestrations?pageSize=0")]
    [InlineData("/api/admin/orchestrations?pageSize=abc")]
    public async Task List_InvalidQuery_Returns400(string url)
    {
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");

        using var response = await admin.GetAsync(url, TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Terminate_RunningInstance_TerminatesAndAuditsTheAdmin()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await Durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.WaitForEvent, cancellation: ct);
        await Durable.WaitForInstanceStartAsync(id, ct);
        var adminId = HostFixture.NewUserId("admin");
        using var admin = fixture.CreateClient(adminId, "FR", "admin");

        using var response = await admin.PostAsync($"/api/admin/orchestrations/{id}/terminate?reason=stuck", null, ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/admin/orchestrations/{id}", response.Headers.Location?.OriginalString);
        await Eventually.HoldsAsync(async () =>
        {
            using var status = await admin.GetAsync($"/api/admin/orchestrations/{id}", ct);
            return (await JsonAsync(status)).GetProperty("status").GetString() == "terminated";
        }, TimeSpan.FromSeconds(30), "the instance shows terminated", TimeSpan.FromMilliseconds(100));
        using var auditor = fixture.CreateClient(HostFixture.NewUserId("dpo"), "FR", "dpo");
        using var audit = await auditor.GetAsync($"/api/admin/audit?actor={adminId}", ct);
        var entry = Assert.Single((await JsonAsync(audit)).GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "orchestration.terminate");
        Assert.Equal("orchestration:" + id, entry.GetProperty("target").GetString());
        Assert.Equal("stuck", entry.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Terminate_CompletedInstance_Returns409AndChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await Durable.ScheduleNewOrchestrationInstanceAsync("TestFanOut", new FanOutInput(1), ct);
        await Durable.WaitForInstanceCompletionAsync(id, ct);
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");

        using var response = await admin.PostAsync($"/api/admin/orchestrations/{id}/terminate", null, ct);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await Durable.GetInstanceAsync(id, ct))!.RuntimeStatus);
    }

    [Fact]
    public async Task Terminate_UnknownInstance_Returns404()
    {
        using var admin = fixture.CreateClient(HostFixture.NewUserId("admin"), "FR", "admin");

        using var response = await admin.PostAsync($"/api/admin/orchestrations/{Guid.NewGuid():N}/terminate", null, TestContext.Current.CancellationToken);

        await RoutingTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    private static async Task<HashSet<string>> ListAllAsync(HttpClient admin, string status)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? continuation = null;
        do
        {
            using var response = await admin.GetAsync($"/api/admin/orchestrations?status={status}&pageSize=100" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)), TestContext.Current.CancellationToken);
            var page = await JsonAsync(response);
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                Assert.Contains(item.GetProperty("status").GetString(), status.Split(','));
                ids.Add(item.GetProperty("id").GetString()!);
            }

            continuation = page.TryGetProperty("continuationToken", out var token) ? token.GetString() : null;
        }
        while (continuation is not null);

        return ids;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
