using System.Text.Json;
using System.Text.Json.Serialization;

namespace Huntaze.Functions.Onboarding.Catalog;

/// <summary>The JSON shape of <c>steps.json</c>; everything nullable so validation can name what is missing.</summary>
internal sealed record StepCatalogDocument(int? CatalogVersion, List<StepDocument?>? Steps, List<GateDocument?>? Gates)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };
}

internal sealed record StepDocument(
    string? Id,
    int? Version,
    string? Title,
    string? Description,
    int? Order,
    int? Weight,
    bool? Required,
    List<string>? Prerequisites,
    MarketsDocument? Markets,
    List<string>? Roles,
    int? EstimatedMinutes,
    string? FeatureFlag,
    string? MigrationPolicy);

internal sealed record MarketsDocument(List<string>? Include, List<string>? Exclude);

internal sealed record GateDocument(string? Id, string? Title, List<string>? Requires, string? Url);
