using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Huntaze.Functions.Onboarding.Progress;

namespace Huntaze.IntegrationTests.Contract.Fuzz;

/// <summary>
/// A hash of the product data a host keeps under its table prefix: every entity (keys, properties and ETag, so
/// even a rewrite of the same values shows) and every blob (name and ETag). Left out: what a rejected request
/// writes by design: the audit log (refusals are audited), the rate-limit windows (a 429 counts), the write-budget
/// counters in a user's onboarding guide (a refused write counts too, ADR 0007: the guide's counters property, and
/// so its ETag and write ids, move while nothing else in it does) and the flag sync heartbeat (a timer); empty tables
/// and containers, which lazy creation makes on a first read. The task hub lives under its own name, outside the prefix.
/// </summary>
public sealed class StoredDataChecksum(TableServiceClient tables, BlobServiceClient blobs, string prefix)
{
    public static readonly string[] ExcludedTables = ["audit", "ratelimits", "flagsync"];

    /// <summary>One hash per table and container (so a difference names where it is).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ComputeAsync(CancellationToken cancellationToken)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var names = new List<string>();
        await foreach (var table in tables.QueryAsync(cancellationToken: cancellationToken))
        {
            var logical = table.Name.StartsWith(prefix, StringComparison.Ordinal) ? table.Name[prefix.Length..] : null;
            if (logical is not null && !ExcludedTables.Any(e => logical.StartsWith(e, StringComparison.OrdinalIgnoreCase)))
            {
                names.Add(table.Name);
            }
        }

        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            var rows = 0;
            await foreach (var entity in tables.GetTableClient(name).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
            {
                var guide = ProgressEntities.IsGuide(entity.RowKey);
                var properties = entity.Where(p => p.Key is not ("odata.etag" or "Timestamp") && !(guide && p.Key is ProgressEntities.CountersProperty or "WriteId")).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
                if (guide && properties.All(p => p.Key is "PartitionKey" or "RowKey" || (p.Key is "Revision" or "StepRevisionFloor" && p.Value is 0)))
                {
                    // A guide holding nothing but write counters: what a counted refusal leaves for a user without progress.
                    continue;
                }

                rows++;
                Append(hash, guide ? $"{entity.PartitionKey}/{entity.RowKey}" : $"{entity.PartitionKey}/{entity.RowKey}@{entity.ETag}");
                foreach (var (key, value) in properties)
                {
                    Append(hash, key + "=" + (value is byte[] bytes ? Convert.ToBase64String(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)));
                }
            }

            // An empty table holds no data: a read that creates its table on first use (StorageClients) changes nothing.
            var tableHash = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (rows > 0)
            {
                hashes["table " + name] = tableHash;
            }
        }

        var containerPrefix = prefix.ToLowerInvariant() + "-";
        await foreach (var container in blobs.GetBlobContainersAsync(prefix: containerPrefix, cancellationToken: cancellationToken))
        {
            var count = 0;
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync(cancellationToken: cancellationToken))
            {
                count++;
                Append(hash, $"{blob.Name}@{blob.Properties.ETag}");
            }

            var containerHash = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (count > 0)
            {
                hashes["container " + container.Name] = containerHash;
            }
        }

        return hashes;
    }

    private static void Append(IncrementalHash hash, string text)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        hash.AppendData("\n"u8);
    }
}
