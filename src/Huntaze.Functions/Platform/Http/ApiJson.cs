using System.Text.Json;
using System.Text.Json.Serialization;

namespace Huntaze.Functions.Platform.Http;

/// <summary>The JSON settings of the API, for requests and responses alike, in both hosts.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowDuplicateProperties = false,
            // The Web defaults read "5" as 5; the API documents wrong types as 400.
            NumberHandling = JsonNumberHandling.Strict,
            MaxDepth = 32,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
