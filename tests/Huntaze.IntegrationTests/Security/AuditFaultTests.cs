using System.Net;
using System.Text;
using Huntaze.Functions.Security.Audit;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Huntaze.IntegrationTests.TestFunctions;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Security;

/// <summary>
/// The audit log's storage failing while everything else works (the audit log of this host reaches storage
/// through clients configured as the app's, with an <see cref="Outage"/> that answers 503 Server Busy on demand).
/// No admin change may then take effect, and no audited read may answer: 503 with Retry-After.
/// </summary>
public sealed class AuditFaultTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminChanges_AuditStoreFailing_Answer503WithRetryAfterAndNothingChanges()
    {
        using var outage = new Outage();
        await using var host = await StartAsync(outage);
        using var admin = new OnboardingApi(OnboardingHostFixture.ClientFor(host, HostFixture.NewUserId("admin"), "US", "admin"));
        var userId = HostFixture.NewUserId();
        using var user = new OnboardingApi(OnboardingHostFixture.ClientFor(host, userId, "US"));
        var flag = "Test." + Guid.NewGuid().ToString("N")[..12];
        using (var seeded = await admin.Client.PatchAsync($"/api/admin/feature-flags/{flag}", Json(new { enabled = false }), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
        }

        using (var step = await user.PatchAsync("creator_assessment", new { status = "in_progress" }, "\"step-0\""))
        {
            Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        }

        outage.Down = true;
        using var killSwitch = await admin.PostAsync("/api/admin/kill-switch", new { active = true, reason = "audit down" });
        using var patch = await admin.Client.PatchAsync($"/api/admin/feature-flags/{flag}", Json(new { enabled = true }), Ct);
        using var reset = await admin.PostAsync($"/api/admin/onboarding/users/{userId}/reset");
        using var migration = await admin.PostAsync("/api/admin/onboarding/migrations", new { stepId = "creator_assessment", toVersion = 1, dryRun = true });
        outage.Down = false;

        foreach (var response in new[] { killSwitch, patch, reset, migration })
        {
            await OnboardingApi.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "dependency-unavailable");
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{response.RequestMessage!.RequestUri} has no Retry-After");
        }

        using var switchNow = await admin.Client.GetAsync("/api/admin/feature-flags/Onboarding.KillSwitch", Ct);
        if (switchNow.StatusCode == HttpStatusCode.OK)
        {
            Assert.False((await OnboardingApi.JsonAsync(switchNow)).GetProperty("document").GetProperty("enabled").GetBoolean());
        }
        else
        {
            Assert.Equal(HttpStatusCode.NotFound, switchNow.StatusCode);
        }

        using var flagNow = await admin.Client.GetAsync($"/api/admin/feature-flags/{flag}", Ct);
        Assert.False((await OnboardingApi.JsonAsync(flagNow)).GetProperty("document").GetProperty("enabled").GetBoolean());
        using var progress = await admin.Client.GetAsync($"/api/admin/onboarding/users/{userId}", Ct);
        Assert.Contains((await OnboardingApi.JsonAsync(progress)).GetProperty("steps").EnumerateArray(), s => s.GetProperty("stepId").GetString() == "creator_assessment");
        var migrations = (await AuditTests.QueryAsync(admin.Client, "/api/admin/audit?target=step:creator_assessment")).Items;
        Assert.Empty(migrations);
    }

    [Fact]
    public async Task Terminate_AuditStoreFailing_Answers503AndTheInstanceKeepsRunning()
    {
        using var outage = new Outage();
        await using var host = await StartAsync(outage);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var id = await durable.ScheduleNewOrchestrationInstanceAsync(OrchestrationTestFunctions.WaitForEvent, cancellation: Ct);
        await durable.WaitForInstanceStartAsync(id, Ct);
        using var admin = OnboardingHostFixture.ClientFor(host, HostFixture.NewUserId("admin"), "US", "admin");

        outage.Down = true;
        using var terminate = await admin.PostAsync($"/api/admin/orchestrations/{id}/terminate?reason=stuck", null, Ct);
        outage.Down = false;

        await OnboardingApi.ProblemAsync(terminate, HttpStatusCode.ServiceUnavailable, "dependency-unavailable");
        Assert.True(terminate.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await durable.GetInstanceAsync(id, Ct))!.RuntimeStatus);
        await durable.TerminateInstanceAsync(id, cancellation: Ct);
    }

    [Fact]
    public async Task AuditQuery_AuditOfTheReadFails_Answers503WithRetryAfter()
    {
        using var outage = new Outage();
        await using var host = await StartAsync(outage);
        using var dpo = OnboardingHostFixture.ClientFor(host, HostFixture.NewUserId("dpo"), "US", "dpo");

        outage.Down = true;
        using var query = await dpo.GetAsync("/api/admin/audit", Ct);
        using var verify = await dpo.GetAsync("/api/admin/audit/verify", Ct);
        outage.Down = false;

        foreach (var response in new[] { query, verify })
        {
            await OnboardingApi.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "dependency-unavailable");
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }
    }

    /// <summary>A host of its own whose audit log (chain and details blobs) reaches storage through <paramref name="outage"/>.</summary>
    private async Task<LocalHostInstance> StartAsync(Outage outage)
    {
        var prefix = "af" + Guid.NewGuid().ToString("N")[..8];
        var host = await fixture.StartSecondHostAsync(
            new Dictionary<string, string?> { ["Storage__TablePrefix"] = prefix },
            AuditThrough(fixture.Azurite.ConnectionString, prefix, outage));
        await host.WaitUntilOnboardingEnabledAsync();
        return host;
    }

    /// <summary>Replaces the host's audit log with one whose storage (tables under <paramref name="prefix"/>) goes through <paramref name="outage"/>.</summary>
    internal static Action<IServiceCollection> AuditThrough(string connectionString, string prefix, Outage outage) =>
        services => services.Replace(ServiceDescriptor.Singleton<IAuditLog>(sp =>
        {
            var clients = StorageFaults.Clients(connectionString, prefix, outage);
            return new TableAuditLog(
                clients,
                sp.GetRequiredService<IAuditProtector>(),
                new AuditDetailsBlobs(clients),
                sp.GetRequiredService<IOptions<AuditOptions>>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<TableAuditLog>>());
        }));

    private static StringContent Json(object body) => new(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
