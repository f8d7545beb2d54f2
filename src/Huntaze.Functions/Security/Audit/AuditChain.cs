using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// The hash chain: each entry's hash is SHA-256 over a canonical encoding of the entry that includes
/// the previous entry's hash, so editing, removing or reordering any entry breaks every later link and
/// the chain head. Pure functions: the store and the tests share them.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of a day's first entry, distinct per day so chains cannot be swapped.</summary>
    public static string Genesis(string partition) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("huntaze-audit-genesis:" + partition)));

    public static string ComputeHash(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Convert.ToHexStringLower(SHA256.HashData(Canonical(entry)));
    }

    /// <summary>UTF-8 JSON with a fixed member order and details sorted by key; the stored hash is ignored.</summary>
    public static byte[] Canonical(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteString("partition", entry.Partition);
            writer.WriteNumber("sequence", entry.Sequence);
            writer.WriteString("time", entry.Time);
            writer.WriteString("actor", entry.Actor);
            writer.WriteString("action", entry.Action);
            writer.WriteString("target", entry.Target);
            writer.WriteString("outcome", entry.Outcome);
            writer.WriteString("correlationId", entry.CorrelationId);
            writer.WriteStartObject("details");
            foreach (var (key, value) in entry.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteString("previousHash", entry.PreviousHash);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Checks one partition's entries (in sequence order) against each other and against its head:
    /// sequence without gaps from 1, each previous hash equal to the last entry's hash, each hash
    /// recomputed, and the head naming the last entry (which catches a truncated tail).
    /// </summary>
    public static AuditBrokenLink? VerifyPartition(string partition, IEnumerable<AuditEntry> entries, AuditChainHead? head, out long checkedCount)
    {
        ArgumentNullException.ThrowIfNull(entries);
        checkedCount = 0;
        var expectedSequence = 1L;
        var previousHash = Genesis(partition);
        foreach (var entry in entries)
        {
            checkedCount++;
            if (entry.Partition != partition || entry.Sequence != expectedSequence)
            {
                return new AuditBrokenLink(partition, expectedSequence, $"entry {expectedSequence} is missing or out of order (found {entry.Sequence})");
            }

            if (!string.Equals(entry.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return new AuditBrokenLink(partition, entry.Sequence, "previous hash does not match the preceding entry");
            }

            if (!string.Equals(ComputeHash(entry), entry.Hash, StringComparison.Ordinal))
            {
                return new AuditBrokenLink(partition, entry.Sequence, "content does not match its hash (entry edited)");
            }

            previousHash = entry.Hash;
            expectedSequence++;
        }

        var last = expectedSequence - 1;
        if (head is null ? last != 0 : head.Sequence != last || !string.Equals(head.Hash, last == 0 ? "" : previousHash, StringComparison.Ordinal))
        {
            return new AuditBrokenLink(partition, Math.Max(last, head?.Sequence ?? 0), $"chain head (sequence {head?.Sequence ?? 0}) does not match the last entry (sequence {last})");
        }

        return null;
    }

    public static string SerializeDetails(IReadOnlyDictionary<string, string?> details) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string?>(details.ToDictionary(), StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, string?> DeserializeDetails(string? json) =>
        string.IsNullOrEmpty(json) ? new Dictionary<string, string?>() : JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? [];
}
