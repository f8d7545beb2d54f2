using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// The subject's own data-subject requests: exported whole; on erasure every other request of theirs is
/// pseudonymised (the request being handled is pseudonymised when it completes, with its result).
/// </summary>
public sealed class RequestHandler(RequestStore requests, TimeProvider time) : ISubjectDataHandler
{
    public string Key => "requests";

    public IReadOnlyList<string> Stores { get; } = [PrivacyStores.Requests];

    public async Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(PrivacyStores.Requests, (await requests.ListForSubjectAsync(subject.Ref, cancellationToken).ConfigureAwait(false))
            .Count(r => r.Id != subject.RequestId && RequestStore.HoldsPersonalFields(r)))];

    public async Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(PrivacyStores.Requests, [.. (await requests.ListForSubjectAsync(subject.Ref, cancellationToken).ConfigureAwait(false))
            .Select(r => JsonSerializer.SerializeToNode(r, ApiJson.Options)!.AsObject())])];

    public async Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken) =>
        [new(PrivacyStores.Requests, await requests.PseudonymiseAsync(subject.Ref, subject.RequestId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))];
}
