using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huntaze.Functions.Backups;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Huntaze.IntegrationTests.Security;

namespace Huntaze.IntegrationTests.Backups;

/// <summary>
/// Backup and restore starts are admin changes, audited before they take effect: with the audit log's storage
/// failing (and everything else working) each answers 503 with Retry-After and nothing starts.
/// </summary>
public sealed class BackupAuditFaultTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RestoreAndRunStarts_AuditStoreFailing_Answer503WithRetryAfterAndNothingStarts()
    {
        using var outage = new Outage();
        var prefix = "b" + Guid.NewGuid().ToString("N")[..8];
        await using var backups = await BackupHost.StartAsync(
            fixture,
            new Dictionary<string, string?> { ["Storage__TablePrefix"] = prefix },
            AuditFaultTests.AuditThrough(fixture.Azurite.ConnectionString, prefix, outage));
        await backups.BackupAsync();
        var today = DateTime.UtcNow.ToString(BackupCatalog.DateFormat, System.Globalization.CultureInfo.InvariantCulture);

        outage.Down = true;
        using var admin = backups.Admin();
        using var restore = await backups.PostRestoreAsync(new { backup = today, target = "side" });
        using var liveRestore = await backups.PostRestoreAsync(new { backup = today, target = "live" });
        using var pointInTime = await backups.PostRestoreAsync(new { pointInTime = DateTimeOffset.UtcNow, target = "side" });
        using var run = await admin.PostAsync("/api/admin/backups/run", null, Ct);
        using var verify = await admin.PostAsync($"/api/admin/backups/{today}/verify", null, Ct);
        outage.Down = false;

        foreach (var response in new[] { restore, liveRestore, pointInTime, run, verify })
        {
            await OnboardingApi.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "dependency-unavailable");
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{response.RequestMessage!.RequestUri} has no Retry-After");
        }

        Assert.DoesNotContain(("lock", "restore"), (await backups.RowsAsync(BackupStores.State)).Keys);
        var instances = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/orchestrations?pageSize=100", Ct)).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("id").GetString()!).ToList();
        Assert.DoesNotContain(instances, id => id.StartsWith("backup-restore-", StringComparison.Ordinal));
        Assert.Single(instances, id => id.StartsWith("backup-run-", StringComparison.Ordinal));

        // Nothing was left half-taken: with the audit log back, a restore starts.
        var url = await backups.StartRestoreAsync(new { backup = today, target = "side", dryRun = true });
        Assert.Equal("completed", (await backups.WaitAsync(url)).GetProperty("state").GetString());
    }
}
