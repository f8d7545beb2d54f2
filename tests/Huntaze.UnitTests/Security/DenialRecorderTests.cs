using Huntaze.Functions.Security.Audit;
using Huntaze.Functions.Security.Audit.Denials;
using Microsoft.Extensions.Options;

namespace Huntaze.UnitTests.Security;

public sealed class DenialRecorderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 5, TimeSpan.Zero);

    private static DenialRecorder Recorder(int clientsPerMinute = 500) => new(Options.Create(new AuditOptions { DenialClientsPerMinute = clientsPerMinute }));

    private static Denial Denial(string client, int second = 0, string action = "access.unauthenticated", string reason = "malformed") =>
        new(Start.AddSeconds(second), client, action, "AuditQuery", "corr-" + second, reason);

    [Fact]
    public void Record_ManyFromOneClientInOneMinute_OneRowWithTheTotals()
    {
        var recorder = Recorder();
        for (var i = 0; i < 1000; i++)
        {
            recorder.Record(Denial("ip:10.0.0.1", i % 50, i % 10 == 0 ? "access.forbidden" : "access.unauthenticated"));
        }

        var row = Assert.Single(recorder.TakeChanged());
        Assert.Equal(1000, row.Total);
        Assert.Equal(100, row.ByAction["access.forbidden"]);
        Assert.Equal(900, row.ByAction["access.unauthenticated"]);
        Assert.Equal("corr-0", row.FirstCorrelationId);
    }

    [Fact]
    public void Record_MoreClientsThanTheCap_RestShareTheOverflowRow()
    {
        var recorder = Recorder(clientsPerMinute: 3);
        for (var i = 0; i < 10; i++)
        {
            recorder.Record(Denial($"ip:10.0.0.{i}"));
        }

        var rows = recorder.TakeChanged();

        Assert.Equal(4, rows.Count);
        Assert.Equal(7, rows.Single(r => r.Client == DenialRecorder.OverflowClient).Total);
    }

    [Fact]
    public void TakeChanged_NothingNew_Empty_ThenNewDenialsCarryCumulativeTotals()
    {
        var recorder = Recorder();
        recorder.Record(Denial("ip:10.0.0.1"));
        Assert.Single(recorder.TakeChanged());
        Assert.Empty(recorder.TakeChanged());

        recorder.Record(Denial("ip:10.0.0.1", 1));

        Assert.Equal(2, Assert.Single(recorder.TakeChanged()).Total);
    }

    [Fact]
    public void Restore_AfterAFailedWrite_RowsAreTakenAgain()
    {
        var recorder = Recorder();
        recorder.Record(Denial("ip:10.0.0.1"));
        var rows = recorder.TakeChanged();

        recorder.Restore(rows);

        Assert.Single(recorder.TakeChanged());
    }

    [Fact]
    public void Forget_WrittenPastMinutesGoAndUnwrittenOnesWaitForTheBacklog()
    {
        var recorder = Recorder();
        var minute = Start.ToUnixTimeSeconds() / 60;
        recorder.Record(Denial("ip:10.0.0.1"));
        recorder.Record(Denial("ip:10.0.0.2"));
        recorder.Restore(recorder.TakeChanged().Where(r => r.Client == "ip:10.0.0.2"));

        Assert.Equal(0, recorder.Forget(minute + 2, backlogMinutes: 10));
        Assert.Equal("ip:10.0.0.2", Assert.Single(recorder.TakeChanged()).Client);
        recorder.Restore([new DenialRow(minute, "ip:10.0.0.2", 1, new Dictionary<string, long>(), [], Start, Start, "", "", null)]);
        Assert.Equal(1, recorder.Forget(minute + 11, backlogMinutes: 10));
        Assert.Empty(recorder.TakeChanged());
    }

    [Fact]
    public void Sanitize_ControlCharactersAndLength_Bounded()
    {
        var reason = DenialRecorder.Sanitize("algorithm 'x\n\u0000y' not accepted" + new string('z', 500));

        Assert.Equal(200, reason!.Length);
        Assert.DoesNotContain(reason, char.IsControl);
    }
}
