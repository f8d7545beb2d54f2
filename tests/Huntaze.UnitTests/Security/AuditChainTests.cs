using Huntaze.Functions.Security.Audit;

namespace Huntaze.UnitTests.Security;

public sealed class AuditChainTests
{
    private const string Partition = "20261125";

    [Fact]
    public void VerifyPartition_IntactChain_NoBrokenLink()
    {
        var (entries, head) = Chain(5);

        var broken = AuditChain.VerifyPartition(Partition, entries, head, out var count);

        Assert.Null(broken);
        Assert.Equal(5, count);
    }

    [Fact]
    public void VerifyPartition_EditedEntry_NamesThatEntry()
    {
        var (entries, head) = Chain(5);
        entries[2] = entries[2] with { Outcome = "allowed" };

        var broken = AuditChain.VerifyPartition(Partition, entries, head, out _);

        Assert.Equal(3, broken!.Sequence);
    }

    [Fact]
    public void VerifyPartition_EditedEntryWithRecomputedHash_NamesTheNextEntry()
    {
        var (entries, head) = Chain(5);
        var edited = entries[2] with { Actor = "someone-else" };
        entries[2] = edited with { Hash = AuditChain.ComputeHash(edited) };

        var broken = AuditChain.VerifyPartition(Partition, entries, head, out _);

        Assert.Equal(4, broken!.Sequence);
    }

    [Fact]
    public void VerifyPartition_RemovedEntry_NamesTheGap()
    {
        var (entries, head) = Chain(5);
        entries.RemoveAt(1);

        var broken = AuditChain.VerifyPartition(Partition, entries, head, out _);

        Assert.Equal(2, broken!.Sequence);
    }

    [Fact]
    public void VerifyPartition_TruncatedTail_DetectedByHead()
    {
        var (entries, head) = Chain(5);
        entries.RemoveAt(4);

        var broken = AuditChain.VerifyPartition(Partition, entries, head, out _);

        Assert.NotNull(broken);
        Assert.Contains("head", broken.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeHash_DetailsInAnyOrder_SameHash()
    {
        var a = Entry(1, AuditChain.Genesis(Partition), new Dictionary<string, string?> { ["a"] = "1", ["b"] = "2" });
        var b = a with { Details = new Dictionary<string, string?> { ["b"] = "2", ["a"] = "1" } };

        Assert.Equal(AuditChain.ComputeHash(a), AuditChain.ComputeHash(b));
    }

    private static (List<AuditEntry> Entries, AuditChainHead Head) Chain(int count)
    {
        var entries = new List<AuditEntry>();
        var previous = AuditChain.Genesis(Partition);
        for (var sequence = 1; sequence <= count; sequence++)
        {
            var entry = Entry(sequence, previous, new Dictionary<string, string?> { ["status"] = "403" });
            entry = entry with { Hash = AuditChain.ComputeHash(entry) };
            entries.Add(entry);
            previous = entry.Hash;
        }

        return (entries, new AuditChainHead(count, previous));
    }

    private static AuditEntry Entry(long sequence, string previousHash, Dictionary<string, string?> details) =>
        new(Partition, sequence, $"2026-11-25T10:00:{sequence:00}.0000000Z", "u1", "access.forbidden", "function:AuditQuery", "denied", "corr-" + sequence, details, previousHash, "");
}
