using System.Text.Json.Nodes;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// Consent records: the user's partition (by subject reference) and the anonymous partitions linked to it. Export
/// gives every record; erasure deletes the linked anonymous partitions and pseudonymises the user's records, which
/// stay as proof of consent (Art. 7(1), 17(3)(e); the data map says how long).
/// </summary>
public sealed class ConsentHandler(ConsentStore store, ConsentService consent, TimeProvider time) : ISubjectDataHandler
{
    private const int Rounds = 5;

    public string Key => "consent";

    public IReadOnlyList<string> Stores { get; } = [ConsentStore.UserTable, ConsentStore.AnonymousTable];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var rows = await store.RowsAsync(ConsentKey.User(subject.Ref), cancellationToken).ConfigureAwait(false);
        var devices = 0;
        foreach (var id in ConsentStore.LinkedIds(rows))
        {
            devices += (await store.RowsAsync(ConsentKey.Anonymous(id), cancellationToken).ConfigureAwait(false)).Count;
        }

        return [new(ConsentStore.UserTable, rows.Count(ConsentStore.NamesSubject)), new(ConsentStore.AnonymousTable, devices)];
    }

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var rows = await store.RowsAsync(ConsentKey.User(subject.Ref), cancellationToken).ConfigureAwait(false);
        var records = rows.Where(ConsentStore.IsRecord).Select(ConsentStore.ToRecord).OrderBy(r => r.Seq).Select(r => Item("record", r)).ToList();
        var devices = new List<JsonObject>();
        foreach (var id in ConsentStore.LinkedIds(rows))
        {
            devices.AddRange((await store.HistoryAsync(ConsentKey.Anonymous(id), cancellationToken).ConfigureAwait(false)).Select(r => Item("device-record", r, id)));
        }

        return [new(ConsentStore.UserTable, records), new(ConsentStore.AnonymousTable, devices)];
    }

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var user = ConsentKey.User(subject.Ref);
        for (var round = 0; round < Rounds; round++)
        {
            int? devices = 0;
            foreach (var id in ConsentStore.LinkedIds(await store.RowsAsync(user, cancellationToken).ConfigureAwait(false)).ToList())
            {
                // Devices first: the link rows that find them go with the pseudonymisation, last. A device written
                // meanwhile is read and deleted again in the next round, before any link row is gone.
                devices += await store.DeletePartitionAsync(ConsentKey.Anonymous(id), cancellationToken).ConfigureAwait(false);
            }

            if (devices is not null && await store.PseudonymiseAsync(user, time.GetUtcNow(), cancellationToken).ConfigureAwait(false) is { } changed)
            {
                consent.Forget(subject.UserId);
                return [new(ConsentStore.UserTable, changed), new(ConsentStore.AnonymousTable, devices.Value)];
            }
        }

        throw Problems.Unavailable("The subject's consent records kept changing during erasure; the workflow retries.", TimeSpan.FromSeconds(1));
    }

    private static JsonObject Item(string kind, ConsentRecord record, string? consentId = null) => new()
    {
        ["kind"] = kind,
        ["consentId"] = consentId,
        ["seq"] = record.Seq,
        ["policyVersion"] = record.PolicyVersion,
        ["analytics"] = record.Choice.Analytics,
        ["marketing"] = record.Choice.Marketing,
        ["personalization"] = record.Choice.Personalization,
        ["source"] = record.Source,
        ["recordedAt"] = record.RecordedAt,
        ["userAgentHash"] = record.UserAgentHash,
        ["linkedFrom"] = record.LinkedFrom,
    };
}
