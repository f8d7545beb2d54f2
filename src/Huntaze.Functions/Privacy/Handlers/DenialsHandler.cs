using System.Text.Json.Nodes;
using Huntaze.Functions.Privacy.Requests;
using Huntaze.Functions.Security.Audit.Denials;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// The denial stream (<c>auditdenials</c>): the subject's rows are those of client <c>user:{id}</c> (refusals while
/// signed in). Rows of anonymous callers name an address, not a user id: no request can find them; retention removes them.
/// Idempotent: a second erasure finds no rows.
/// </summary>
public sealed class DenialsHandler(DenialStore denials) : ISubjectDataHandler
{
    public string Key => "denials";

    public IReadOnlyList<string> Stores { get; } = [DenialStore.TableName];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(DenialStore.TableName, (await denials.FindClientAsync(Client(subject), cancellationToken).ConfigureAwait(false)).Count)];

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(DenialStore.TableName, [.. (await denials.FindClientAsync(Client(subject), cancellationToken).ConfigureAwait(false)).Select(d => new JsonObject
        {
            ["minute"] = d.Minute,
            ["refused"] = d.Total,
            ["byAction"] = new JsonObject(d.ByAction.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
            ["functions"] = new JsonArray([.. d.Functions.Select(f => (JsonNode?)f)]),
            ["firstAt"] = d.FirstAt,
            ["lastAt"] = d.LastAt,
            ["lastReason"] = d.LastReason,
        })])];

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(DenialStore.TableName, await denials.DeleteClientAsync(Client(subject), cancellationToken).ConfigureAwait(false))];

    private static string Client(Subject subject) => "user:" + subject.UserId;
}
