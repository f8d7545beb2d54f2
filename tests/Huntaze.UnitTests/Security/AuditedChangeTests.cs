using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security.Audit;

namespace Huntaze.UnitTests.Security;

public sealed class AuditedChangeTests
{
    private static readonly AuditRecord Change = new("admin-1", "flags.patch", "feature-flag:F", AuditedChange.Accepted, "corr-1",
        new Dictionary<string, string?> { ["after"] = "{}" });

    [Fact]
    public async Task RecordChangeAsync_Succeeds_OneAcceptedEntryWrittenBeforeTheChange()
    {
        var audit = new FakeAuditLog();
        var entriesWhenApplied = -1;

        var result = await audit.RecordChangeAsync(Change, _ =>
        {
            entriesWhenApplied = audit.Records.Count;
            return Task.FromResult(42);
        }, CancellationToken.None);

        Assert.Equal(42, result);
        Assert.Equal(1, entriesWhenApplied);
        var entry = Assert.Single(audit.Records);
        Assert.Equal(AuditedChange.Accepted, entry.Outcome);
        Assert.Equal("{}", entry.Details!["after"]);
        Assert.False(string.IsNullOrEmpty(entry.Details["changeId"]));
    }

    [Fact]
    public async Task RecordChangeAsync_AuditUnavailable_ChangeNeverRunsAnd503Propagates()
    {
        var audit = new FakeAuditLog { Failing = true };
        var applied = false;

        var problem = await Assert.ThrowsAsync<ProblemException>(() => audit.RecordChangeAsync(Change, _ =>
        {
            applied = true;
            return Task.CompletedTask;
        }, CancellationToken.None));

        Assert.False(applied);
        Assert.Equal(503, problem.Type.Status);
        Assert.Equal("7", problem.Headers["Retry-After"]);
    }

    [Fact]
    public async Task RecordChangeAsync_ChangeRefused_AbortedEntryWithTheSameChangeId()
    {
        var audit = new FakeAuditLog();

        await Assert.ThrowsAsync<ProblemException>(() => audit.RecordChangeAsync(
            Change, _ => Task.FromException(Problems.PreconditionFailed("stale")), CancellationToken.None));

        Assert.Equal([AuditedChange.Accepted, AuditedChange.Aborted], audit.Records.Select(r => r.Outcome));
        Assert.Equal(audit.Records[0].Details!["changeId"], audit.Records[1].Details!["changeId"]);
        Assert.Equal("precondition-failed", audit.Records[1].Details!["problem"]);
    }

    [Fact]
    public async Task RecordChangeAsync_ChangeFailsUnexpectedly_FailedEntryAndTheOriginalError()
    {
        var audit = new FakeAuditLog();

        await Assert.ThrowsAsync<TimeoutException>(() => audit.RecordChangeAsync(Change, _ => Task.FromException(new TimeoutException()), CancellationToken.None));

        Assert.Equal([AuditedChange.Accepted, AuditedChange.Failed], audit.Records.Select(r => r.Outcome));
    }

    private sealed class FakeAuditLog : IAuditLog
    {
        public List<AuditRecord> Records { get; } = [];

        public bool Failing { get; init; }

        public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
        {
            if (Failing)
            {
                throw AuditUnavailable.Problem(7);
            }

            Records.Add(record);
            return Task.CompletedTask;
        }
    }
}
