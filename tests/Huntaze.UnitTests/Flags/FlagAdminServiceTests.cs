using Huntaze.Functions.Flags;
using Huntaze.Functions.Flags.Admin;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security.Audit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Huntaze.UnitTests.Flags;

public sealed class FlagAdminServiceTests
{
    private static readonly AdminActor Actor = new("admin-1", "corr-1");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryFlagStore _store = new();
    private readonly List<AuditRecord> _audit = [];
    private readonly FlagState _state;
    private readonly FlagAdminService _service;
    private int _publishes = int.MaxValue;
    private long _generation;

    public FlagAdminServiceTests()
    {
        _state = new FlagState(_time);
        var audit = new Mock<IAuditLog>();
        audit.Setup(a => a.AppendAsync(It.IsAny<AuditRecord>(), It.IsAny<CancellationToken>()))
            .Callback<AuditRecord, CancellationToken>((record, _) => _audit.Add(record))
            .Returns(Task.CompletedTask);
        var publisher = new Mock<IFlagPublisher>();
        publisher.Setup(p => p.PublishAfterWriteAsync(It.IsAny<CancellationToken>()))
            .Returns(async (CancellationToken ct) => _publishes-- > 0 ? FlagSnapshot.Create(await _store.ListAsync(ct), null, _store.Kind, _time.GetUtcNow()) with { Generation = ++_generation } : null);
        _service = new FlagAdminService(
            _store, publisher.Object, _state, new KillSwitch(_state), audit.Object,
            Options.Create(new FlagsOptions()), _time, NullLogger<FlagAdminService>.Instance);
    }

    [Fact]
    public async Task PutAsync_ValidUpdate_AuditsBeforeAndAfter()
    {
        var created = await _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":false}", null, true, Actor, CancellationToken.None);

        await _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":true}", created.ETag, false, Actor, CancellationToken.None);

        var record = _audit[^1];
        Assert.Equal(("admin-1", "flags.put", "feature-flag:F", "corr-1"), (record.Actor, record.Action, record.Target, record.CorrelationId));
        Assert.Contains("\"enabled\":false", record.Details!["before"], StringComparison.Ordinal);
        Assert.Contains("\"enabled\":true", record.Details!["after"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_StaleETag_Throws412AndAuditsNothing()
    {
        var created = await _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":false}", null, true, Actor, CancellationToken.None);
        await _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":true}", created.ETag, false, Actor, CancellationToken.None);
        _audit.Clear();

        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":false}", created.ETag, false, Actor, CancellationToken.None));

        Assert.Equal(412, problem.Type.Status);
        Assert.Empty(_audit);
    }

    [Fact]
    public async Task PutAsync_InvalidDocument_Throws400ListingEveryProblem()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":\"yes\",\"conditions\":{\"client_filters\":[{\"name\":\"Microsoft.Targeting\",\"parameters\":[]}]}}", null, true, Actor, CancellationToken.None));

        Assert.Equal(400, problem.Type.Status);
        Assert.Equal(2, ((IReadOnlyDictionary<string, string[]>)problem.Extensions["errors"]!)["document"].Length);
    }

    [Fact]
    public async Task PutAsync_NoPrecondition_Throws428()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":true}", null, false, Actor, CancellationToken.None));

        Assert.Equal(428, problem.Type.Status);
    }

    [Fact]
    public async Task RolloutAsync_BeforeDwellWithoutForce_Throws409WithEarliestTime()
    {
        await _service.PutAsync(FeatureNames.Onboarding, "{\"id\":\"Onboarding\",\"enabled\":false}", null, true, Actor, CancellationToken.None);
        await _service.RolloutAsync(FeatureNames.Onboarding, "internal", false, Actor, CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(23));

        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.RolloutAsync(FeatureNames.Onboarding, "5", false, Actor, CancellationToken.None));

        Assert.Equal(409, problem.Type.Status);
        Assert.Equal(_time.GetUtcNow().AddHours(1), problem.Extensions["earliestAt"]);
    }

    [Fact]
    public async Task RolloutAsync_BeforeDwellWithForce_AdvancesAndAuditsForced()
    {
        await _service.PutAsync(FeatureNames.Onboarding, "{\"id\":\"Onboarding\",\"enabled\":false}", null, true, Actor, CancellationToken.None);
        await _service.RolloutAsync(FeatureNames.Onboarding, "internal", false, Actor, CancellationToken.None);

        var saved = await _service.RolloutAsync(FeatureNames.Onboarding, "5", true, Actor, CancellationToken.None);

        Assert.Equal(5, saved.Flag.Targeting!.DefaultRolloutPercentage);
        Assert.Equal("5", saved.Tags[RolloutPlan.StageTag]);
        Assert.Equal("True", _audit[^1].Details!["forced"]);
    }

    [Fact]
    public async Task RolloutAsync_AfterDwell_AdvancesWithoutForce()
    {
        await _service.PutAsync(FeatureNames.Onboarding, "{\"id\":\"Onboarding\",\"enabled\":false}", null, true, Actor, CancellationToken.None);
        await _service.RolloutAsync(FeatureNames.Onboarding, "internal", false, Actor, CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(24));

        await _service.RolloutAsync(FeatureNames.Onboarding, "5", false, Actor, CancellationToken.None);

        Assert.Equal("False", _audit[^1].Details!["forced"]);
    }

    [Fact]
    public async Task SetKillSwitchAsync_Activate_IsEffectiveOnThisInstanceAtOnce()
    {
        var report = await _service.SetKillSwitchAsync(true, "INC-1", Actor, CancellationToken.None);

        Assert.Equal(new KillSwitchReport(true, "INC-1", _time.GetUtcNow(), true), report);
        Assert.Equal("flags.kill-switch", _audit[^1].Action);
    }

    [Fact]
    public async Task SetKillSwitchAsync_StoredDocumentUnreadable_ReplacesItWithItsOwnETagAndAuditsTheText()
    {
        _store.Seed(FeatureNames.KillSwitch, "{\"id\":\"Onboarding.KillSwitch\",\"enabled\":\"maybe\"");

        var report = await _service.SetKillSwitchAsync(false, "resolved", Actor, CancellationToken.None);

        Assert.False(report.Active);
        Assert.True((await _store.GetAsync(FeatureNames.KillSwitch, CancellationToken.None))!.IsReadable);
        Assert.Equal("{\"id\":\"Onboarding.KillSwitch\",\"enabled\":\"maybe\"", _audit[^1].Details!["before"]);
    }

    [Fact]
    public async Task SetKillSwitchAsync_PortalDocument_KeepsItsOtherMembers()
    {
        _store.Seed(FeatureNames.KillSwitch, PortalFlagDocuments.KillSwitchWithTelemetry);

        await _service.SetKillSwitchAsync(false, null, Actor, CancellationToken.None);

        var text = (await _store.GetAsync(FeatureNames.KillSwitch, CancellationToken.None))!.Text;
        Assert.Contains("\"telemetry\":{\"enabled\":false}", text, StringComparison.Ordinal);
        Assert.Contains("\"enabled\":false", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("put")]
    [InlineData("patch")]
    [InlineData("rollout")]
    public async Task Edit_PortalDocument_KeepsDisplayNameAndTelemetry(string edit)
    {
        var seeded = _store.Seed(FeatureNames.Onboarding, PortalFlagDocuments.VariantsWithTelemetry.Replace("\"description\": \"\",", "\"display_name\": \"Creator onboarding\",", StringComparison.Ordinal));
        var document = FlagDocument.Serialize(FlagDocument.Parse(seeded.Text).Flag! with { Enabled = false });

        var saved = edit switch
        {
            "put" => await _service.PutAsync(FeatureNames.Onboarding, document, seeded.ETag, false, Actor, CancellationToken.None),
            "patch" => await _service.PatchAsync(FeatureNames.Onboarding, new FlagPatchRequest { RolloutPercentage = 5 }, null, Actor, CancellationToken.None),
            _ => await _service.RolloutAsync(FeatureNames.Onboarding, "internal", false, Actor, CancellationToken.None),
        };

        var text = (await _store.GetAsync(FeatureNames.Onboarding, CancellationToken.None))!.Text;
        Assert.Contains("\"display_name\":\"Creator onboarding\"", text, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":{\"enabled\":true", text, StringComparison.Ordinal);
        Assert.Contains("\"status_override\":\"Disabled\"", text, StringComparison.Ordinal);
        Assert.Contains(saved.Flag.Ignored, n => n.Contains("'display_name'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PatchAsync_IfMatchOnAbsentFlag_Throws412AndCreatesNothing()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.PatchAsync("F", new FlagPatchRequest { Enabled = true }, "\"v9\"", Actor, CancellationToken.None));

        Assert.Equal(412, problem.Type.Status);
        Assert.Null(await _store.GetAsync("F", CancellationToken.None));
    }

    [Fact]
    public async Task PutAsync_IfMatchNotOneOfOurETags_Throws412()
    {
        await _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":false}", null, true, Actor, CancellationToken.None);

        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":true}", "\"not-ours\"", false, Actor, CancellationToken.None));

        Assert.Equal(412, problem.Type.Status);
    }

    [Fact]
    public async Task PatchAsync_StoredDocumentUnreadable_Throws409AskingForAPut()
    {
        _store.Seed("F", "{\"id\":\"F\",\"enabled\":1}");

        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.PatchAsync("F", new FlagPatchRequest { Enabled = true }, null, Actor, CancellationToken.None));

        Assert.Equal(409, problem.Type.Status);
        Assert.Contains("PUT", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_UnreadableDocument_IsListedWithTheReason()
    {
        _store.Seed("F", "{\"id\":\"F\",\"enabled\":1}");

        var listed = Assert.Single(await _service.ListAsync(CancellationToken.None));

        Assert.False(listed.IsReadable);
        Assert.Contains("'enabled' must be true or false.", listed.Errors);
    }

    [Fact]
    public async Task PutAsync_EveryPublishRaceLost_SavesButDoesNotApplyUnpublished()
    {
        _publishes = 0;

        await _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":true}", null, true, Actor, CancellationToken.None);

        Assert.NotNull(await _store.GetAsync("F", CancellationToken.None));
        Assert.Null(_state.Snapshot);
    }

    [Fact]
    public async Task PatchAsync_MissingFlag_CreatesItFromTheSimpleForm()
    {
        var saved = await _service.PatchAsync("F", new FlagPatchRequest { Enabled = true, Users = ["alice"] }, null, Actor, CancellationToken.None);

        Assert.True(saved.Flag.Enabled);
        Assert.Equal(["alice"], saved.Flag.Targeting!.Users);
        Assert.Null(_audit[^1].Details!["before"]);
    }
}
