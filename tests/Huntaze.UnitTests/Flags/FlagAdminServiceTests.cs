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

    public FlagAdminServiceTests()
    {
        _state = new FlagState(_time);
        var audit = new Mock<IAuditLog>();
        audit.Setup(a => a.AppendAsync(It.IsAny<AuditRecord>(), It.IsAny<CancellationToken>()))
            .Callback<AuditRecord, CancellationToken>((record, _) => _audit.Add(record))
            .Returns(Task.CompletedTask);
        var publisher = new Mock<IFlagPublisher>();
        publisher.Setup(p => p.PublishAfterWriteAsync(It.IsAny<CancellationToken>()))
            .Returns(async (CancellationToken ct) => FlagSnapshot.Create((await _store.ListAsync(ct)).Flags, _store.Kind, _time.GetUtcNow()));
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
    public async Task PutAsync_StaleETag_Throws412AndRecordsTheIntentAborted()
    {
        var created = await _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":false}", null, true, Actor, CancellationToken.None);
        await _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":true}", created.ETag, false, Actor, CancellationToken.None);
        _audit.Clear();

        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":false}", created.ETag, false, Actor, CancellationToken.None));

        Assert.Equal(412, problem.Type.Status);
        // Audited before the write (write-ahead), so the refused write leaves its intent and its abort.
        Assert.Equal([AuditedChange.Accepted, AuditedChange.Aborted], _audit.Select(r => r.Outcome));
        Assert.Equal(_audit[0].Details!["changeId"], _audit[1].Details!["changeId"]);
        Assert.Equal("412", _audit[1].Details!["status"]);
    }

    [Fact]
    public async Task PutAsync_InvalidDocument_Throws400ListingEveryProblem()
    {
        var problem = await Assert.ThrowsAsync<ProblemException>(() =>
            _service.PutAsync("F", "{\"id\":\"F\",\"enabled\":\"yes\",\"variants\":[]}", null, true, Actor, CancellationToken.None));

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
    public async Task PatchAsync_MissingFlag_CreatesItFromTheSimpleForm()
    {
        var saved = await _service.PatchAsync("F", new FlagPatchRequest { Enabled = true, Users = ["alice"] }, null, Actor, CancellationToken.None);

        Assert.True(saved.Flag.Enabled);
        Assert.Equal(["alice"], saved.Flag.Targeting!.Users);
        Assert.Null(_audit[^1].Details!["before"]);
    }
}
