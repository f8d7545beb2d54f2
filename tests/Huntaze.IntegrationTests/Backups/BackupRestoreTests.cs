using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Backups;
using Huntaze.Functions.Backups.Run;
using Huntaze.Functions.Privacy.Erasure;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Subjects;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.IntegrationTests.Onboarding;
using Microsoft.Extensions.DependencyInjection;

namespace Huntaze.IntegrationTests.Backups;

/// <summary>Backups and restores through the local host's admin API, each test on tables and a task hub of its own.</summary>
public sealed class BackupRestoreTests(HostFixture fixture)
{
    private const string Progress = HuntazeDataMap.OnboardingProgress;
    private const string Requests = PrivacyStores.Requests;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// 10,000 entities of every property type across a replaced table and an additive one: backup, wipe, live
    /// restore with the host stopped part-way and started again: every entity comes back with the same
    /// properties, values and types. A second restore while the first runs is a 409.
    /// </summary>
    [Fact]
    public async Task Restore_AfterWipeWithHostStoppedMidway_GivesBackIdenticalEntities()
    {
        await using var backups = await BackupHost.StartAsync(fixture, new Dictionary<string, string?> { ["Backups__RestoreParallelism"] = "1" });
        var seeded = new Dictionary<string, Dictionary<(string, string), TableEntity>>
        {
            [Progress] = await SeedAsync(backups, Progress, partitions: 80),
            [Requests] = await SeedAsync(backups, Requests, partitions: 20),
        };
        Assert.Equal(10_000, seeded.Values.Sum(s => s.Count));
        var result = await backups.BackupAsync();
        Assert.True(result.GetProperty("verified").GetBoolean());

        await WipeAsync(backups, Progress);
        await WipeAsync(backups, Requests);
        Assert.Empty(await backups.RowsAsync(Progress));

        var url = await backups.StartRestoreAsync(new { backup = Today, tables = new[] { Progress, Requests }, target = "live" });
        using (var second = await backups.PostRestoreAsync(new { backup = Today, target = "side" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        }

        await Eventually.HoldsAsync(
            async () => (await backups.GetStatusAsync(url)).GetProperty("progress") is { ValueKind: JsonValueKind.Object } p && p.GetProperty("rowsDone").GetInt64() > 0,
            TimeSpan.FromMinutes(2), "the restore never started writing", TimeSpan.FromMilliseconds(20));
        Assert.Equal("running", (await backups.GetStatusAsync(url)).GetProperty("state").GetString());
        await backups.RestartAsync();

        var status = await backups.WaitAsync(url, TimeSpan.FromMinutes(4));
        Assert.Equal("completed", status.GetProperty("result").GetProperty("outcome").GetString());
        Assert.Equal(10_000, status.GetProperty("result").GetProperty("rowsTotal").GetInt64());
        foreach (var (table, expected) in seeded)
        {
            AssertIdentical(expected, await backups.RowsAsync(table));
        }
    }

    /// <summary>A point in time between two writes of a step gives exactly the first write's state, in side tables.</summary>
    [Fact]
    public async Task PointInTimeRestore_BetweenTwoWrites_YieldsTheEarlierState()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await backups.Host.WaitUntilOnboardingEnabledAsync();
        var user = HostFixture.NewUserId("pit");
        using var api = new OnboardingApi(backups.User(user));
        await backups.BackupAsync();

        await PatchAsync(api, "creator_assessment", "first", "\"step-0\"");
        var earlier = await backups.RowsAsync(Progress);
        var pointInTime = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(50), Ct);
        await PatchAsync(api, "creator_assessment", "second", "\"step-1\"");
        Assert.NotEqual(Data(earlier, user), Data(await backups.RowsAsync(Progress), user));

        var url = await backups.StartRestoreAsync(new { pointInTime, tables = new[] { Progress }, target = "side" });
        var status = await backups.WaitAsync(url);
        Assert.Equal("completed", status.GetProperty("result").GetProperty("outcome").GetString());
        var side = await backups.RowsAsync(Progress, status.GetProperty("sidePrefix").GetString());

        AssertIdentical(earlier.Where(e => e.Key.Item1 == user).ToDictionary(), side.Where(e => e.Key.Item1 == user).ToDictionary());
    }

    /// <summary>
    /// A flag document over one Table property (a flag targeting 1,000 users, beyond 32K characters) written after
    /// the backup is journaled whole, so a point-in-time restore brings the whole document back.
    /// </summary>
    [Fact]
    public async Task PointInTimeRestore_FlagTargetingAThousandUsersWrittenAfterTheBackup_BringsTheWholeDocumentBack()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await backups.BackupAsync();
        var flag = "Large" + Guid.NewGuid().ToString("N")[..8];
        var users = Enumerable.Range(0, 1_000).Select(i => $"user-{i:D4}-{Guid.NewGuid():N}").ToList();
        var document = JsonSerializer.Serialize(new
        {
            id = flag,
            enabled = true,
            conditions = new { client_filters = new[] { new { name = "Microsoft.Targeting", parameters = new { Audience = new { Users = users } } } } },
        });
        Assert.True(document.Length > 32_768, $"{document.Length} characters");
        using var admin = backups.Admin();
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/feature-flags/{flag}") { Content = new StringContent(document, System.Text.Encoding.UTF8, "application/json") };
        put.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using (var created = await admin.SendAsync(put, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var pointInTime = DateTimeOffset.UtcNow;
        var status = await backups.WaitAsync(await backups.StartRestoreAsync(new { pointInTime, tables = new[] { BackupStores.Flags }, target = "side" }));

        Assert.True(status.GetProperty("result").GetProperty("outcome").GetString() == "completed", status.ToString());
        var side = await backups.RowsAsync(BackupStores.Flags, status.GetProperty("sidePrefix").GetString());
        Assert.True(side.TryGetValue((BackupService.FlagPartition, flag), out var row), $"The side flag table holds {string.Join(", ", side.Keys)}.");
        using var restored = JsonDocument.Parse(BackupService.FlagDocumentOf(row)!);
        var audience = restored.RootElement.GetProperty("conditions").GetProperty("client_filters")[0].GetProperty("parameters").GetProperty("Audience").GetProperty("Users");
        Assert.Equal(users, audience.EnumerateArray().Select(u => u.GetString()!));
    }

    /// <summary>A truncated file fails verification: the live restore writes nothing, and a later live restore of it is refused.</summary>
    [Fact]
    public async Task LiveRestore_OfTruncatedFile_FailsVerificationAndLeavesLiveTablesAlone()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        var seeded = await SeedAsync(backups, Progress, partitions: 3);
        await backups.BackupAsync();
        var container = await backups.Storage.GetContainerAsync("backups", Ct);
        var file = container.GetBlobClient($"{Today}/{Progress}.ndjson.gz");
        var bytes = (await file.DownloadContentAsync(Ct)).Value.Content.ToArray();
        await file.UploadAsync(BinaryData.FromBytes(bytes[..(bytes.Length / 2)]), overwrite: true, Ct);
        await WipeAsync(backups, Progress);
        var marker = new TableEntity("marker", "row") { ["Kept"] = true };
        await (await backups.TableAsync(Progress)).AddEntityAsync(marker, Ct);

        var status = await backups.WaitAsync(await backups.StartRestoreAsync(new { backup = Today, target = "live" }));

        var outcome = status.GetProperty("result");
        Assert.Equal("failed", outcome.GetProperty("outcome").GetString());
        Assert.Contains("Verification failed", outcome.GetProperty("failure").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, outcome.GetProperty("rowsWritten").GetInt64());
        Assert.Equal([("marker", "row")], (await backups.RowsAsync(Progress)).Keys);
        var listed = (await backups.ListAsync()).GetProperty("backups")[0];
        Assert.Equal("failed", listed.GetProperty("verification").GetString());
        using var again = await backups.PostRestoreAsync(new { backup = Today, target = "live" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.NotEmpty(seeded);
    }

    /// <summary>A user erased after the backup was taken stays erased when that backup is restored live; others come back.</summary>
    [Fact]
    public async Task LiveRestore_OfBackupTakenBeforeAnErasure_KeepsTheSubjectErased()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await backups.Host.WaitUntilOnboardingEnabledAsync();
        var erased = HostFixture.NewUserId("erased");
        var kept = HostFixture.NewUserId("kept");
        foreach (var user in new[] { erased, kept })
        {
            using var api = new OnboardingApi(backups.User(user));
            await PatchAsync(api, "creator_assessment", "answers of " + user, "\"step-0\"");
        }

        await backups.BackupAsync();
        await DeletePartitionAsync(backups, Progress, erased);
        var subjects = backups.Host.Services.GetRequiredService<SubjectReferences>();
        await backups.Host.Services.GetRequiredService<IErasureLedger>().RecordAsync(
            new ErasureLedgerEntry(await subjects.OfAsync(erased, Ct), DateTimeOffset.UtcNow, "req-" + Guid.NewGuid().ToString("N")), Ct);

        var status = await backups.WaitAsync(await backups.StartRestoreAsync(new { backup = Today, tables = new[] { Progress }, target = "live" }));

        Assert.Equal("completed", status.GetProperty("result").GetProperty("outcome").GetString());
        Assert.Equal(1, status.GetProperty("result").GetProperty("subjectsErasedAgain").GetInt32());
        var rows = await backups.RowsAsync(Progress);
        Assert.DoesNotContain(rows.Keys, k => k.Item1 == erased);
        Assert.Contains(rows.Keys, k => k.Item1 == kept);
    }

    /// <summary>The drill restores the latest verified backup into side tables, compares, drops them and records how long it took.</summary>
    [Fact]
    public async Task Drill_AfterBackup_RecordsPassAndDurationAndDropsSideTables()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await SeedAsync(backups, Progress, partitions: 2);
        await backups.BackupAsync();
        var fired = DateTimeOffset.UtcNow;
        using var trigger = await backups.Host.CreateClient().PostAsync("/admin/functions/BackupDrill", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);

        JsonElement drill = default;
        await Eventually.HoldsAsync(
            async () => (await backups.ListAsync()).TryGetProperty("lastDrill", out drill) && drill.ValueKind == JsonValueKind.Object,
            TimeSpan.FromMinutes(2), "no drill was recorded", TimeSpan.FromMilliseconds(200));

        var seen = DateTimeOffset.UtcNow;

        Assert.True(drill.GetProperty("passed").GetBoolean(), drill.ToString());
        // The recorded duration is the drill's own: it started after the timer fired and ended when recorded, before we saw it.
        var duration = TimeSpan.FromSeconds(drill.GetProperty("durationSeconds").GetDouble());
        var ended = drill.GetProperty("at").GetDateTimeOffset();
        var rounding = TimeSpan.FromMilliseconds(5);
        Assert.True(duration > TimeSpan.Zero, drill.ToString());
        Assert.True(ended - duration >= fired - rounding && ended <= seen + rounding,
            $"The drill ran {ended - duration:O} → {ended:O} ({duration.TotalSeconds} s), outside the window it was fired and seen in ({fired:O} → {seen:O}).");
        Assert.Equal(Today, drill.GetProperty("backup").GetString());
        var side = backups.Prefix + "r" + drill.GetProperty("restoreId").GetString()!["backup-restore-".Length..][..10];
        await foreach (var table in backups.Storage.TableService.QueryAsync(t => t.Name.CompareTo(side) >= 0 && t.Name.CompareTo(side + "~") < 0, cancellationToken: Ct))
        {
            Assert.Fail($"Side table {table.Name} was not dropped.");
        }
    }

    /// <summary>Refusals before anything runs: unknown date, point in time beyond the journal, unknown tables, both or neither source, no target.</summary>
    [Fact]
    public async Task Restore_BadInput_IsAClearProblem()
    {
        await using var backups = await BackupHost.StartAsync(fixture);
        await backups.BackupAsync();
        var cases = new (object Body, HttpStatusCode Status, string Field)[]
        {
            (new { backup = "2001-01-01", target = "side" }, HttpStatusCode.NotFound, "backup"),
            (new { backup = "01/12/2026", target = "side" }, HttpStatusCode.BadRequest, "backup"),
            (new { pointInTime = DateTimeOffset.UtcNow.AddDays(-8), target = "side" }, HttpStatusCode.BadRequest, "pointInTime"),
            (new { pointInTime = DateTimeOffset.UtcNow.AddHours(1), target = "side" }, HttpStatusCode.BadRequest, "pointInTime"),
            (new { backup = Today, tables = new[] { "nosuchtable" }, target = "side" }, HttpStatusCode.BadRequest, "tables"),
            (new { backup = Today, pointInTime = DateTimeOffset.UtcNow, target = "side" }, HttpStatusCode.BadRequest, "pointInTime"),
            (new { target = "side" }, HttpStatusCode.BadRequest, "backup"),
            (new { backup = Today, target = "elsewhere" }, HttpStatusCode.BadRequest, "target"),
        };
        foreach (var (body, expected, field) in cases)
        {
            using var response = await backups.PostRestoreAsync(body);
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == expected, $"{JsonSerializer.Serialize(body)} → {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(field, text, StringComparison.Ordinal);
        }

        using var user = backups.User(HostFixture.NewUserId());
        using var forbidden = await user.PostAsync("/api/admin/backups/run", null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>100 entities per partition, written as entity-group transactions, every property type represented.</summary>
    private static async Task<Dictionary<(string, string), TableEntity>> SeedAsync(BackupHost backups, string logical, int partitions)
    {
        var table = await backups.TableAsync(logical);
        var seeded = new Dictionary<(string, string), TableEntity>();
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        await Parallel.ForEachAsync(Enumerable.Range(0, partitions), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (p, ct) =>
        {
            var batch = Enumerable.Range(0, 100).Select(r => new TableEntity($"p{p:D3}", $"r{r:D3}")
            {
                ["Text"] = $"partition {p} row {r} — é ✓",
                ["Count"] = r,
                ["Big"] = 10_000_000_000L + r,
                ["Ratio"] = r / 3.0,
                ["Flag"] = r % 2 == 0,
                ["At"] = at.AddMinutes(r),
                ["Id"] = new Guid(p, (short)r, 0, [1, 2, 3, 4, 5, 6, 7, 8]),
                ["Blob"] = new byte[] { (byte)p, (byte)r, 255 },
            }).ToList();
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), ct);
            lock (seeded)
            {
                foreach (var entity in batch)
                {
                    seeded[(entity.PartitionKey, entity.RowKey)] = entity;
                }
            }
        });
        return seeded;
    }

    private static async Task WipeAsync(BackupHost backups, string logical)
    {
        foreach (var partition in (await backups.RowsAsync(logical)).Keys.Select(k => k.Item1).Distinct())
        {
            await DeletePartitionAsync(backups, logical, partition);
        }
    }

    private static async Task DeletePartitionAsync(BackupHost backups, string logical, string partition)
    {
        var table = await backups.TableAsync(logical);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: Ct))
        {
            rows.Add(row);
        }

        foreach (var chunk in rows.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, e.ETag)), Ct);
        }
    }

    private static async Task PatchAsync(OnboardingApi api, string step, string company, string ifMatch)
    {
        using var response = await api.PatchAsync(step, new { status = "in_progress", data = new { company } }, ifMatch);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }

    private static string? Data(Dictionary<(string, string), TableEntity> rows, string user) =>
        rows.TryGetValue((user, "guide:" + user), out var guide) ? guide.Where(p => p.Key.StartsWith("Step_", StringComparison.Ordinal)).Select(p => (string)p.Value).FirstOrDefault() : null;

    /// <summary>Same keys; per entity the same property names, CLR types and values (Timestamp and ETag are the service's).</summary>
    private static void AssertIdentical(Dictionary<(string, string), TableEntity> expected, Dictionary<(string, string), TableEntity> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, want) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var got), $"{key} missing");
            var names = want.Keys.Where(Stored).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(names, got!.Keys.Where(Stored).Order(StringComparer.Ordinal).ToList());
            foreach (var name in names)
            {
                var (w, g) = (Normalise(want[name]), Normalise(got[name]));
                Assert.True(w.GetType() == g.GetType(), $"{key}.{name}: {w.GetType().Name} became {g.GetType().Name}");
                Assert.True(Equals(w, g) || (w is byte[] wb && g is byte[] gb && wb.SequenceEqual(gb)), $"{key}.{name}: {w} became {g}");
            }
        }
    }

    private static bool Stored(string name) => name is not ("Timestamp" or "odata.etag" or "PartitionKey" or "RowKey");

    private static object Normalise(object? value) => value switch
    {
        BinaryData data => data.ToArray(),
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        null => "",
        _ => value,
    };
}
