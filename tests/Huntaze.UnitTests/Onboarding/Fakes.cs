using System.Diagnostics.CodeAnalysis;
using Azure;
using Huntaze.Functions.Flags;
using Huntaze.Functions.Onboarding.Events;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Audit;
using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.UnitTests.Onboarding;

/// <summary>Flags for tests: a fixed set of enabled flags (Onboarding on unless removed).</summary>
internal sealed class FakeFeatureGate(params string[] enabled) : IFeatureGate
{
    public HashSet<string> Enabled { get; } = [FeatureNames.Onboarding, .. enabled];

    public ValueTask<bool> IsEnabledAsync(string feature, Caller caller, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Enabled.Contains(feature));
}

internal sealed class FakeKillSwitch : IKillSwitch
{
    public KillSwitchState Current { get; set; } = new(false, null, null);
}

internal sealed class RecordingPublisher : IOnboardingEventPublisher
{
    public List<OnboardingEvent> Events { get; } = [];

    /// <summary>Called on each <see cref="Prepare"/> with the user id (e.g. to see what had happened by then).</summary>
    public Action<string>? OnPrepare { get; set; }

    public void Prepare(string userId) => OnPrepare?.Invoke(userId);

    public ValueTask PublishAsync(OnboardingEvent domainEvent, CancellationToken cancellationToken)
    {
        lock (Events)
        {
            Events.Add(domainEvent);
        }

        return ValueTask.CompletedTask;
    }
}

internal sealed class RecordingAuditLog : IAuditLog
{
    public List<AuditRecord> Records { get; } = [];

    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Records.Add(record);
        return Task.CompletedTask;
    }
}

/// <summary>An in-memory store with Table Storage's ETag rules over one guide per user (insert fails if present, replace needs the ETag).</summary>
internal sealed class InMemoryProgressStore : IProgressStore
{
    private readonly Dictionary<string, ProgressSnapshot> _guides;

    public InMemoryProgressStore()
        : this(new Dictionary<string, ProgressSnapshot>(StringComparer.Ordinal))
    {
    }

    private InMemoryProgressStore(Dictionary<string, ProgressSnapshot> guides) => _guides = guides;

    /// <summary>Runs before each commit is applied, to simulate another writer getting in first.</summary>
    public Action? BeforeCommit { get; set; }

    public int Commits { get; private set; }

    public int ConflictRounds => 8;

    /// <summary>
    /// When set, guides read and committed are held as <see cref="TableProgressStore"/> holds them (ADR 0019), so changes
    /// may skip their read; null (the default) holds nothing, and every change reads.
    /// </summary>
    public HeldGuides? Held { get; init; }

    public int Reads { get; private set; }

    /// <summary>Another instance of the app over the same stored guides: its own held guides (or none), its own counts.</summary>
    public InMemoryProgressStore AnotherInstance(HeldGuides? held = null) => new(_guides) { Held = held };

    public Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_guides)
        {
            Reads++;
            var snapshot = _guides.GetValueOrDefault(userId) ?? ProgressSnapshot.Empty(userId);
            Held?.Hold(snapshot);
            return Task.FromResult(snapshot);
        }
    }

    public bool TryGetHeld(string userId, [NotNullWhen(true)] out ProgressSnapshot? snapshot)
    {
        snapshot = null;
        return Held is not null && Held.TryGet(userId, out snapshot);
    }

    public Task<CommitStatus> CommitAsync(ProgressSnapshot basis, ProgressCommit commit, CancellationToken cancellationToken)
    {
        var hook = BeforeCommit;
        BeforeCommit = null;
        hook?.Invoke();
        lock (_guides)
        {
            var stored = _guides.GetValueOrDefault(basis.UserId);
            if (stored?.ETag != basis.ETag)
            {
                Held?.Forget(basis.UserId);
                return Task.FromResult(CommitStatus.Conflict);
            }

            if (commit.ApplyTo(basis) is { } next)
            {
                var etag = new ETag($"W/\"{Guid.NewGuid():N}\"");
                _guides[basis.UserId] = next with
                {
                    ETag = etag,
                    State = next.State with { ETag = etag },
                    Steps = next.Steps.ToDictionary(s => s.Key, s => s.Value with { ETag = etag }),
                    Counters = next.Counters.ToDictionary(c => c.Key, c => c.Value with { ETag = etag }),
                };
            }
            else
            {
                _guides.Remove(basis.UserId);
            }

            Held?.Hold(_guides.GetValueOrDefault(basis.UserId) ?? ProgressSnapshot.Empty(basis.UserId));
            Commits++;
            return Task.FromResult(CommitStatus.Committed);
        }
    }

    public Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        lock (_guides)
        {
            var holders = _guides.Values.Where(g => g.Steps.ContainsKey(stepId)).OrderBy(g => g.UserId, StringComparer.Ordinal)
                .Select(g => new StepHolder(g, g.Steps[stepId])).ToList();
            var start = continuationToken is null ? 0 : int.Parse(continuationToken, System.Globalization.CultureInfo.InvariantCulture);
            var page = holders.Skip(start).Take(pageSize).ToList();
            var next = start + page.Count < holders.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new StepHolderPage(page, next));
        }
    }
}
