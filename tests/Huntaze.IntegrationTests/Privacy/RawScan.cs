using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// Looks for a subject in everything stored under a host's prefix by reading it all back — not through
/// the app's handlers — so an erasure is proven by scanning, not by trusting the code that did it. A hit
/// is the user id as a whole id (u1 is not found in u10) in any key, property or blob; a rate-limit
/// partition hashed from the user id; or the subject reference anywhere except where the data map keeps
/// it as pseudonymous evidence: the erasure ledger, the partition of the request records and of the consent
/// records (proof of consent), and request ids (reference + 32 hex digits).
/// </summary>
public static class RawScan
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<List<string>> FindAsync(StorageClients storage, string userId, string subjectRef)
    {
        var idPattern = new Regex($"(?<![A-Za-z0-9._@|+\\-]){Regex.Escape(userId)}(?![A-Za-z0-9._@|+\\-])", RegexOptions.CultureInvariant);
        var refPattern = new Regex(Regex.Escape(subjectRef) + "(?![0-9a-f]{32})", RegexOptions.CultureInvariant);
        var hashed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("user:" + userId)))[..32];
        var hits = new List<string>();
        await foreach (var table in storage.TableService.QueryAsync(cancellationToken: Ct))
        {
            if (!table.Name.StartsWith(storage.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var ledger = table.Name == storage.TableName(PrivacyStores.Ledger);
            var requests = table.Name == storage.TableName(PrivacyStores.Requests);
            var consent = table.Name == storage.TableName(Huntaze.Functions.Privacy.Consent.ConsentStore.UserTable);
            await foreach (var row in storage.TableService.GetTableClient(table.Name).QueryAsync<TableEntity>(cancellationToken: Ct))
            {
                foreach (var (name, value) in row.Where(p => p.Key != "odata.etag"))
                {
                    var text = Decoded(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
                    var refKept = ledger || ((requests || consent) && name == "PartitionKey");
                    if (idPattern.IsMatch(text) || (!refKept && refPattern.IsMatch(text)) || (name == "PartitionKey" && text.EndsWith("_" + hashed, StringComparison.Ordinal)))
                    {
                        hits.Add($"{table.Name}[{row.PartitionKey}/{row.RowKey}].{name}");
                    }
                }
            }
        }

        var containerPrefix = storage.ContainerName("x")[..^1];
        await foreach (var container in storage.BlobService.GetBlobContainersAsync(cancellationToken: Ct))
        {
            if (!container.Name.StartsWith(containerPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var client = storage.BlobService.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync(cancellationToken: Ct))
            {
                var bytes = (await client.GetBlobClient(blob.Name).DownloadContentAsync(Ct)).Value.Content.ToArray();
                var text = Decoded(Encoding.UTF8.GetString(bytes)) + "\n" + blob.Name;
                if (blob.Name.EndsWith(".zip", StringComparison.Ordinal))
                {
                    text += Zip.Text(bytes);
                }

                if (idPattern.IsMatch(text) || refPattern.IsMatch(text))
                {
                    hits.Add($"{container.Name}/{blob.Name}");
                }
            }
        }

        return hits;
    }

    /// <summary>
    /// The text followed by every string inside it when it is JSON, decoded, recursively (JSON kept in a JSON
    /// string property, e.g. a journaled flag document, escapes its quotes as <c>\u0022</c>, which would hide an id
    /// from the whole-id pattern).
    /// </summary>
    public static string Decoded(string text)
    {
        var all = new StringBuilder(text);
        AppendStrings(text, all, depth: 0);
        return all.ToString();
    }

    private static void AppendStrings(string text, StringBuilder all, int depth)
    {
        var trimmed = text.TrimStart();
        if (depth > 4 || trimmed.Length < 2 || trimmed[0] is not ('{' or '[' or '"'))
        {
            return;
        }

        System.Text.Json.Nodes.JsonNode? root;
        try
        {
            root = System.Text.Json.Nodes.JsonNode.Parse(trimmed);
        }
        catch (System.Text.Json.JsonException)
        {
            return;
        }

        foreach (var value in Strings(root))
        {
            all.Append('\n').Append(value);
            AppendStrings(value, all, depth + 1);
        }
    }

    private static IEnumerable<string> Strings(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject o => o.SelectMany(p => Strings(p.Value)),
        System.Text.Json.Nodes.JsonArray a => a.SelectMany(Strings),
        System.Text.Json.Nodes.JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}

/// <summary>Reads every entry of a zip as text.</summary>
public static class Zip
{
    public static string Text(byte[] zip)
    {
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip));
        var text = new StringBuilder();
        foreach (var entry in archive.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            text.Append(reader.ReadToEnd()).Append('\n');
        }

        return text.ToString();
    }

    public static Dictionary<string, byte[]> Entries(byte[] zip)
    {
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip));
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
    }
}
