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

public sealed record FlagResponse(string Name, string ETag, JsonElement Document, RolloutView? Rollout)
{
    public static FlagResponse From(StoredFlag flag)
    {
        using var document = JsonDocument.Parse(FlagDocument.Serialize(flag.Flag));
        var rollout = RolloutPlan.Current(flag.Tags) is { } r ? new RolloutView(r.Stage, r.Since) : null;
        return new FlagResponse(flag.Flag.Id, HttpETag.Format(flag.ETag), document.RootElement.Clone(), rollout);
    }
}

public sealed record FlagListResponse(IReadOnlyList<FlagResponse> Flags);

public sealed record FeaturesResponse(IReadOnlyDictionary<string, bool> Features);
