using System.Text.Json;
using Huntaze.Functions.Flags.Documents;
using Huntaze.Functions.Flags.Stores;

namespace Huntaze.Functions.Flags.Admin.Contracts;

public sealed record RolloutRequest
{
    public required string Stage { get; init; }

    public bool Force { get; init; }
}

public sealed record KillSwitchRequest
{
    public required bool Active { get; init; }

    public string? Reason { get; init; }
}

public sealed record KillSwitchResponse(bool Active, string? Reason, DateTimeOffset? ObservedAt, bool? EffectiveOnThisInstance, string Instance);

public sealed record RolloutView(string Stage, DateTimeOffset Since);

/// <summary>
/// A flag as the admin API shows it. <see cref="Document"/> is the stored document (null when it is not JSON,
/// then <see cref="Text"/> holds it as stored); <see cref="Readable"/> false comes with <see cref="Reasons"/>;
/// <see cref="Ignored"/> lists what the document holds that is kept but not evaluated.
/// </summary>
public sealed record FlagResponse(
    string Name,
    string? Id,
    string ETag,
    bool Readable,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Ignored,
    JsonElement? Document,
    string? Text,
    RolloutView? Rollout)
{
    public static FlagResponse From(StoredFlag flag) =>
        Create(flag.Flag.Id, flag.Flag.Id, flag.ETag, FlagDocument.Serialize(flag.Flag), flag.Flag, [], flag.Tags);

    public static FlagResponse From(StoredDocument document) =>
        Create(document.Name, document.Flag?.Id ?? FlagDocument.PeekId(document.Text), document.ETag, document.Text, document.IsReadable ? document.Flag : null, document.Errors, document.Tags);

    private static FlagResponse Create(
        string name, string? id, string etag, string text, FeatureFlag? flag, IReadOnlyList<string> reasons, IReadOnlyDictionary<string, string> tags)
    {
        JsonElement? json = null;
        try
        {
            using var parsed = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = FlagDocument.MaxDepth });
            json = parsed.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Shown as text below: an unreadable document is never hidden.
        }

        var rollout = RolloutPlan.Current(tags) is { } r ? new RolloutView(r.Stage, r.Since) : null;
        return new FlagResponse(name, id, HttpETag.Format(etag), flag is not null, reasons, flag?.Ignored ?? [], json, json is null ? text : null, rollout);
    }
}

public sealed record FlagListResponse(IReadOnlyList<FlagResponse> Flags);

public sealed record FeaturesResponse(IReadOnlyDictionary<string, bool> Features);
