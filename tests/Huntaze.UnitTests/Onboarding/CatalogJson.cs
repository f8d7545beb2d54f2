using System.Text.Json.Nodes;

namespace Huntaze.UnitTests.Onboarding;

/// <summary>Builds catalog JSON for tests: valid by default, one field changed per test.</summary>
internal static class CatalogJson
{
    public static JsonObject Step(string id, int order = 10, int weight = 10, bool required = true, params string[] prerequisites) => new()
    {
        ["id"] = id,
        ["version"] = 1,
        ["title"] = "Title of " + id,
        ["description"] = "Description of " + id,
        ["order"] = order,
        ["weight"] = weight,
        ["required"] = required,
        ["prerequisites"] = new JsonArray([.. prerequisites.Select(p => (JsonNode)p)]),
        ["markets"] = new JsonObject { ["include"] = new JsonArray(), ["exclude"] = new JsonArray() },
        ["roles"] = new JsonArray(),
        ["estimatedMinutes"] = 3,
        ["migrationPolicy"] = "keep",
    };

    public static string Catalog(IEnumerable<JsonObject> steps, IEnumerable<JsonObject>? gates = null) => new JsonObject
    {
        ["catalogVersion"] = 1,
        ["steps"] = new JsonArray([.. steps]),
        ["gates"] = new JsonArray([.. gates ?? []]),
    }.ToJsonString();

    public static JsonObject With(this JsonObject node, string name, JsonNode? value)
    {
        node[name] = value;
        return node;
    }

    public static JsonObject Markets(this JsonObject node, string[] include, string[] exclude) =>
        node.With("markets", new JsonObject
        {
            ["include"] = new JsonArray([.. include.Select(c => (JsonNode)c)]),
            ["exclude"] = new JsonArray([.. exclude.Select(c => (JsonNode)c)]),
        });
}
