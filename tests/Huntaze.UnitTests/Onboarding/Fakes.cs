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

/// <summary>An in-memory store with Table Storage's ETag rules (insert fails if present, replace needs the ETag).</summary>
internal sealed class InMemoryProgressStore : IProgressStore
{
    private readonly Dictionary<(string User, string Key), (object Value, ETag ETag)> _rows = [];
    private int _etag;

    /// <summary>Runs before each commit is applied, to simulate another writer getting in first.</summary>
    public Action? BeforeCommit { get; set; }

    public int Commits { get; private set; }

    public int ConflictRounds => 8;

    public Task<ProgressSnapshot> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            var state = _rows.TryGetValue((userId, "state"), out var s) ? new Stored<OnboardingState>((OnboardingState)s.Value, s.ETag) : new Stored<OnboardingState>(OnboardingState.Empty, null);
            var steps = _rows.Where(r => r.Key.User == userId && r.Value.Value is StepProgress)
                .ToDictionary(r => r.Key.Key, r => new Stored<StepProgress>((StepProgress)r.Value.Value, r.Value.ETag));
            var counters = _rows.Where(r => r.Key.User == userId && r.Value.Value is WindowCounter)
                .ToDictionary(r => r.Key.Key, r => new Stored<WindowCounter>((WindowCounter)r.Value.Value, r.Value.ETag));
            return Task.FromResult(new ProgressSnapshot(userId, state, steps) { Counters = counters });
        }
    }

    public async Task<Stored<StepProgress>?> ReadStepAsync(string userId, string stepId, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(userId, cancellationToken);
        return snapshot.Steps.GetValueOrDefault(stepId);
    }

    public Task<CommitStatus> CommitAsync(string userId, ProgressCommit commit, CancellationToken cancellationToken)
    {
        var hook = BeforeCommit;
        BeforeCommit = null;
        hook?.Invoke();
        lock (_rows)
        {
            var writes = new List<((string, string) Key, object Value, ETag? Expected)>();
            if (commit.Step is { } step)
            {
                writes.Add(((userId, step.Value.StepId), step.Value, step.ETag));
            }

            if (commit.State is { } state)
            {
                writes.Add(((userId, "state"), state.Value, state.ETag));
            }

            if (commit.Counted is { } counted)
            {
                writes.Add(((userId, counted.RowKey), counted.Counter.Value, counted.Counter.ETag));
            }

            foreach (var (key, _, expected) in writes)
            {
                var exists = _rows.TryGetValue(key, out var row);
                if (expected is null ? exists : !exists || row.ETag != expected)
                {
                    return Task.FromResult(CommitStatus.Conflict);
                }
            }

            foreach (var removed in commit.Removed)
            {
                if (!_rows.TryGetValue((userId, removed.Value.StepId), out var row) || row.ETag != removed.ETag)
                {
                    return Task.FromResult(CommitStatus.Conflict);
                }
            }

            foreach (var (key, value, _) in writes)
            {
                _rows[key] = (value, new ETag($"W/\"{++_etag}\""));
            }

            foreach (var removed in commit.Removed)
            {
                _rows.Remove((userId, removed.Value.StepId));
            }

            Commits++;
            return Task.FromResult(CommitStatus.Committed);
        }
    }

    public Task<StepHolderPage> ListStepHoldersAsync(string stepId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            var holders = _rows.Where(r => r.Key.Key == stepId && r.Value.Value is StepProgress).OrderBy(r => r.Key.User, StringComparer.Ordinal)
                .Select(r => new StepHolder(r.Key.User, new Stored<StepProgress>((StepProgress)r.Value.Value, r.Value.ETag))).ToList();
            var start = continuationToken is null ? 0 : int.Parse(continuationToken, System.Globalization.CultureInfo.InvariantCulture);
            var page = holders.Skip(start).Take(pageSize).ToList();
            var next = start + page.Count < holders.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new StepHolderPage(page, next));
        }
    }
}
