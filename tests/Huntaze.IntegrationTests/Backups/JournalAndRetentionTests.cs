using System.Net;
using System.Text;
using Azure.Data.Tables;
using Huntaze.Functions.Backups;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Backups;

/// <summary>How each store journals, and what the daily run expires, prunes and verifies again.</summary>
public sealed class JournalAndRetentionTests(HostFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A step write carries its journal row in the same transaction; a refused write leaves none.</summary>
    [Fact]
    public async Task StepWrite_CommitsItsJournalRowInTheSameTransaction_ARefusedWriteNone()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await backups.Host.WaitUntilOnboardingEnabledAsync();
        var user = HostFixture.NewUserId("journal");
        using var api = new OnboardingApi(backups.User(user));
        using (var ok = await api.PatchAsync("creator_assessment", new { status = "in_progress", data = new { company = "Journal GmbH" } }, "\"step-0\""))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var stale = await api.PatchAsync("creator_assessment", new { status = "in_progress", data = new { company = "Stale" } }, "\"step-0\""))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        }

        var journal = await JournalRowsAsync(backups, HuntazeDataMap.OnboardingProgress, user);

        var row = Assert.Single(journal);
        var changes = row.GetString("JChanges")!;
        Assert.Contains("Journal GmbH", changes, StringComparison.Ordinal);
        Assert.DoesNotContain("Stale", changes, StringComparison.Ordinal);
        Assert.Contains("\"rk\":\"guide:" + user + "\"", changes, StringComparison.Ordinal);
        var guide = (await backups.RowsAsync(HuntazeDataMap.OnboardingProgress))[(user, "guide:" + user)];
        // The refused write counted its write budget in the guide after (ADR 0007), so the journaled write is not the newest.
        Assert.True(TableWriteBatch.Includes(guide.GetString("WriteId"), row.GetString("WriteId")!), "the guide carries the journaled write's id");
    }

    /// <summary>A flag write through the admin API (whichever flag store) is journaled in backupjournal after it committed.</summary>
    [Fact]
    public async Task FlagWrite_IsJournaledInTheJournalTable()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        using var admin = backups.Admin();
        var flag = "Journal" + Guid.NewGuid().ToString("N")[..8];
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/feature-flags/{flag}")
        {
            Content = new StringContent("{\"id\":\"" + flag + "\",\"enabled\":true}", Encoding.UTF8, "application/json"),
        };
        put.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using (var created = await admin.SendAsync(put, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var rows = await JournalRowsAsync(backups, BackupStores.Journal, "flags");

        Assert.Contains(rows, r => r.GetString("JChanges")!.Contains($"flag\\n{flag}", StringComparison.Ordinal));
    }

    /// <summary>
    /// The daily run expires backups past their tier (a monthly one stays), prunes journal rows older than 7 days,
    /// and verifies a backup left unverified (the retry of a failed or interrupted verification).
    /// </summary>
    [Fact]
    public async Task DailyRun_ExpiresByTierPrunesTheJournalAndVerifiesWhatWasLeftUnverified()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await backups.Host.WaitUntilOnboardingEnabledAsync();
        await backups.BackupAsync();
        var catalog = backups.Host.Services.GetRequiredService<BackupCatalog>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (manifest, _) = (await catalog.GetAsync(today, Ct))!.Value;
        var plainOld = Enumerable.Range(35, 20).Select(d => today.AddDays(-d)).First(d => d.DayOfWeek != DayOfWeek.Sunday && d.Day != 1);
        var monthStart = new DateOnly(today.Year, today.Month, 1).AddMonths(-2);
        var unverified = today.AddDays(-1);
        foreach (var date in new[] { plainOld, monthStart, unverified })
        {
            await CopyBackupAsync(catalog, manifest, date);
        }

        var progress = await backups.TableAsync(HuntazeDataMap.OnboardingProgress);
        var old = new TableEntity("u-old", "~j" + DateTimeOffset.UtcNow.AddDays(-8).UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "w") { ["JTable"] = "OnboardingProgress", ["JChanges"] = "[]" };
        await progress.AddEntityAsync(old, Ct);
        var user = HostFixture.NewUserId("recent");
        using (var api = new OnboardingApi(backups.User(user)))
        using (var write = await api.PatchAsync("creator_assessment", new { status = "in_progress" }, "\"step-0\""))
        {
            Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        }

        await backups.BackupAsync();

        var dates = await catalog.DatesAsync(Ct);
        Assert.DoesNotContain(plainOld, dates);
        Assert.Contains(monthStart, dates);
        Assert.True((await catalog.GetAsync(unverified, Ct))!.Value.Manifest.Verified);
        Assert.Empty(await JournalRowsAsync(backups, HuntazeDataMap.OnboardingProgress, "u-old"));
        Assert.Single(await JournalRowsAsync(backups, HuntazeDataMap.OnboardingProgress, user));
    }

    /// <summary>A verification that finds a damaged file counts it, audits it and marks the manifest failed.</summary>
    [Fact]
    public async Task Verify_DamagedFile_MarksFailedAndAudits()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await backups.BackupAsync();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var container = await backups.Storage.GetContainerAsync(BackupStores.Container, Ct);
        await container.GetBlobClient($"{today}/flags.ndjson.gz").UploadAsync(BinaryData.FromString("not gzip"), overwrite: true, Ct);

        using var admin = backups.Admin();
        using var started = await admin.PostAsync($"/api/admin/backups/{today}/verify", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var url = System.Text.Json.JsonDocument.Parse(await started.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("statusUrl").GetString()!;
        var status = await backups.WaitAsync(url);

        Assert.False(status.GetProperty("result").GetProperty("verified").GetBoolean());
        Assert.Equal("failed", (await backups.ListAsync()).GetProperty("backups")[0].GetProperty("verification").GetString());
        var audit = await backups.RowsAsync(Huntaze.Functions.Security.Audit.TableAuditLog.TableName);
        Assert.Contains(audit.Values, e => e.GetString("Action") == "backup.verification_failed");
        using var missing = await admin.PostAsync("/api/admin/backups/2001-01-01/verify", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task CopyBackupAsync(BackupCatalog catalog, BackupManifest manifest, DateOnly date)
    {
        var container = await catalog.ContainerAsync(Ct);
        var name = BackupCatalog.Format(date);
        var files = new List<BackupFile>();
        foreach (var file in manifest.Files)
        {
            var target = container.GetBlobClient(BackupStores.FileBlob(name, file.Table));
            await target.UploadAsync((await container.GetBlobClient(file.Blob).DownloadContentAsync(Ct)).Value.Content, overwrite: true, Ct);
            files.Add(file with { Blob = target.Name });
        }

        var started = new DateTimeOffset(date.ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero);
        await catalog.SaveAsync(manifest with { Date = name, StartedAt = started, CompletedAt = started.AddMinutes(1), Files = files, Verification = null }, null, new Dictionary<string, string>(), Ct);
    }

    private static async Task<List<TableEntity>> JournalRowsAsync(BackupHost backups, string logical, string partition)
    {
        var table = await backups.TableAsync(logical);
        var rows = new List<TableEntity>();
        var filter = logical == BackupStores.Journal
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"~j"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: Ct))
        {
            rows.Add(row);
        }

        return rows;
    }
}
