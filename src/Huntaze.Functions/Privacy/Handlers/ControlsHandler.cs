using System.Text.Json.Nodes;
using Huntaze.Functions.Privacy.Controls;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>Restrictions, objections and holds: the rows and the index blob.</summary>
public sealed class ControlsHandler(PrivacyControls controls, ControlsIndexBlob index) : ISubjectDataHandler
{
    private const string IndexStore = "blob:" + PrivacyStores.ControlsContainer;

    public string Key => "controls";

    public IReadOnlyList<string> Stores { get; } = [PrivacyStores.Controls, IndexStore];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken)
    {
        var rows = await controls.GetByRefAsync(subject.Ref, cancellationToken).ConfigureAwait(false);
        var (snapshot, _) = await index.ReadAsync(null, cancellationToken).ConfigureAwait(false);
        return [new(PrivacyStores.Controls, rows.Count), new(IndexStore, snapshot!.Refs.Values.Count(r => r.Contains(subject.Ref)))];
    }

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(PrivacyStores.Controls, [.. (await controls.GetByRefAsync(subject.Ref, cancellationToken).ConfigureAwait(false)).Select(c => new JsonObject
        {
            ["control"] = ControlKinds.RowKey(c.Kind),
            ["since"] = c.Since,
            ["setBy"] = c.SetBy == subject.UserId ? "you" : "the data protection officer",
            ["reason"] = c.Reason,
        })])];

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken)
    {
        var (before, _) = await index.ReadAsync(null, cancellationToken).ConfigureAwait(false);
        var deleted = await controls.RemoveAllAsync(subject.Ref, cancellationToken).ConfigureAwait(false);
        return [new(PrivacyStores.Controls, deleted), new(IndexStore, before!.Refs.Values.Count(r => r.Contains(subject.Ref)))];
    }
}
