using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Privacy.Subjects;
using Huntaze.Functions.Security.Audit;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// The audit log and the subject keys: entries naming the subject are found by their deterministic token;
/// erasure destroys the key (crypto-shredding), so the entries and the chain stay exactly as hashed.
/// Verification also scans, in plain text, the entries written since the request opened.
/// </summary>
public sealed class AuditHandler(StorageClients storage, SubjectKeys keys, AuditReader reader, TimeProvider time) : ISubjectDataHandler
{
    private static readonly string[] PersonFields = ["Actor", "Target", "Details"];

    public string Key => "audit";

    // Spilled details (audit-details) hold the same protected ids as the entries referring to them: shredded by the same key.
    public IReadOnlyList<string> Stores { get; } = [TableAuditLog.TableName, PrivacyStores.SubjectKeys, "blob:" + AuditDetailsBlobs.Container];

    public int ErasureWave => 1;

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken)
    {
        var keyExists = await keys.ExistsAsync(subject.Ref, cancellationToken).ConfigureAwait(false);
        var readable = keyExists ? (await ReadableAsync(subject, cancellationToken).ConfigureAwait(false)).Count : 0;
        var plain = subject.Since is { } since ? await PlainMentionsSinceAsync(subject.UserId, since, cancellationToken).ConfigureAwait(false) : 0;
        return [new(TableAuditLog.TableName, readable + plain), new(PrivacyStores.SubjectKeys, keyExists ? 1 : 0)];
    }

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken)
    {
        var items = new List<JsonObject>();
        var key = await keys.FindAsync(subject.Ref, cancellationToken).ConfigureAwait(false);
        foreach (var entry in await ReadableAsync(subject, cancellationToken).ConfigureAwait(false))
        {
            // The subject sees their own id; other people named in the entry stay hidden (Art. 15(4)).
            string Show(string text) => SubjectCipher.Tokens(text).Aggregate(text, (t, token) =>
                t.Replace(token.Token, token.KeyId == key!.KeyId ? subject.UserId : "[another person]", StringComparison.Ordinal));
            var details = new JsonObject();
            foreach (var (name, value) in entry.Details.Where(d => d.Key != "traceId"))
            {
                details[name] = value is null ? null : Show(value);
            }

            items.Add(new JsonObject
            {
                ["time"] = entry.Time,
                ["actor"] = Show(entry.Actor),
                ["action"] = entry.Action,
                ["target"] = Show(entry.Target),
                ["outcome"] = entry.Outcome,
                ["details"] = details,
            });
        }

        return [new(TableAuditLog.TableName, items)];
    }

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        var readable = (await keys.FindAsync(subject.Ref, cancellationToken).ConfigureAwait(false)) is null ? 0 : (await ReadableAsync(subject, cancellationToken).ConfigureAwait(false)).Count;
        var destroyed = await keys.DestroyAsync(subject.Ref, cancellationToken).ConfigureAwait(false);
        return [new(TableAuditLog.TableName, readable), new(PrivacyStores.SubjectKeys, destroyed ? 1 : 0)];
    }

    /// <summary>Entries whose actor or target is the subject's token (a filtered scan of the table).</summary>
    private async Task<List<AuditEntry>> ReadableAsync(Subject subject, CancellationToken cancellationToken)
    {
        var key = await keys.FindAsync(subject.Ref, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return [];
        }

        var token = SubjectCipher.Seal(key.Key, key.KeyId, subject.UserId);
        var table = await storage.GetTableAsync(TableAuditLog.TableName, cancellationToken).ConfigureAwait(false);
        var found = new List<AuditEntry>();
        var filter = TableClient.CreateQueryFilter($"RowKey lt {TableAuditLog.HeadRowKey} and (Actor eq {token} or Target eq {"user:" + token})");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(await reader.ReadStoredAsync(row, cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    private async Task<int> PlainMentionsSinceAsync(string userId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(TableAuditLog.TableName, cancellationToken).ConfigureAwait(false);
        var from = TableAuditLog.PartitionFor(since.AddDays(-1));
        var to = TableAuditLog.PartitionFor(time.GetUtcNow().AddDays(1));
        var count = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {from} and PartitionKey le {to}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var mentioned = PersonFields.Any(p => SubjectCipher.Mentions(row.GetString(p), userId));
            if (!mentioned && row.GetString("DetailsBlob") is not null)
            {
                // Details spilled to audit-details: read them from their blob.
                var entry = await reader.ReadStoredAsync(row, cancellationToken).ConfigureAwait(false);
                mentioned = entry.Details.Values.Any(v => SubjectCipher.Mentions(v, userId));
            }

            count += mentioned ? 1 : 0;
        }

        return count;
    }
}
