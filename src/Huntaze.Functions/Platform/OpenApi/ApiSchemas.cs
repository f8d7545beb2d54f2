using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Huntaze.Functions.Platform.Http;

namespace Huntaze.Functions.Platform.OpenApi;

/// <summary>
/// JSON Schemas (2020-12, the dialect of OpenAPI 3.1) of the API's records, exported by System.Text.Json with
/// the API's own serializer settings (<see cref="ApiJson.Options"/>: naming, enums as snake_case strings, no
/// unknown members), so the schema says what the serializer does. Each of our types becomes one named
/// component; a type used inside another is a <c>$ref</c> to its component.
/// </summary>
public sealed class ApiSchemas
{
    public const string ComponentPrefix = "#/components/schemas/";

    /// <summary>The API's settings, plus the nullable annotations the contract promises (a non-nullable member is never null).</summary>
    private static readonly JsonSerializerOptions SchemaOptions = CreateOptions();

    private JsonSchemaExporterOptions ExporterOptions => new() { TreatNullObliviousAsNonNullable = true, TransformSchemaNode = Transform };

    private readonly SortedDictionary<string, JsonObject> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Type> _namedTypes = new(StringComparer.Ordinal);
    private readonly Queue<Type> _pending = new();

    /// <summary>The components collected so far, by name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Components
    {
        get
        {
            Drain();
            return _components;
        }
    }

    /// <summary>The schema to use where <paramref name="type"/> is sent: a <c>$ref</c> for our types, inline otherwise.</summary>
    public JsonObject SchemaFor(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (IsComponent(type))
        {
            return Reference(type);
        }

        var node = SchemaOptions.GetJsonSchemaAsNode(type, ExporterOptions);
        return node as JsonObject ?? new JsonObject();
    }

    /// <summary>Our own records, classes and enums are named components; framework types stay inline.</summary>
    public static bool IsComponent(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.Assembly == typeof(ApiSchemas).Assembly && !underlying.IsGenericType && (underlying.IsEnum || underlying.IsClass);
    }

    public static string ComponentName(Type type) => (Nullable.GetUnderlyingType(type) ?? type).Name;

    private JsonObject Reference(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var name = ComponentName(underlying);
        if (_namedTypes.TryGetValue(name, out var known))
        {
            if (known != underlying)
            {
                throw new InvalidOperationException($"Two API types are named '{name}' ({known.FullName}, {underlying.FullName}); rename one.");
            }
        }
        else
        {
            _namedTypes[name] = underlying;
            _pending.Enqueue(underlying);
        }

        return new JsonObject { ["$ref"] = ComponentPrefix + name };
    }

    private void Drain()
    {
        while (_pending.TryDequeue(out var type))
        {
            var node = SchemaOptions.GetJsonSchemaAsNode(type, ExporterOptions);
            var schema = node as JsonObject ?? new JsonObject();
            if (type.IsEnum && !schema.ContainsKey("type"))
            {
                // Enums are sent as strings (JsonStringEnumConverter); say so for generators that need the type.
                schema["type"] = "string";
            }

            _components[ComponentName(type)] = schema;
        }
    }

    private JsonNode Transform(JsonSchemaExporterContext context, JsonNode node)
    {
        var type = context.TypeInfo.Type;
        if (type == typeof(JsonElement) || Nullable.GetUnderlyingType(type) == typeof(JsonElement))
        {
            // Any JSON value: the empty schema (the exporter's `true` is not read by every OpenAPI tool).
            return new JsonObject();
        }

        if ((Nullable.GetUnderlyingType(type) ?? type) == typeof(long) && node is JsonObject int64)
        {
            // JSON Schema says only "integer"; without the format, generated clients (Kiota) read a 32-bit int.
            int64["format"] = "int64";
        }

        if (node is JsonObject { } objectSchema && objectSchema["required"] is JsonArray required && objectSchema["properties"] is JsonObject properties)
        {
            // Null members are left out (WhenWritingNull): only members that cannot be null are always present.
            var always = required.Select(r => r!.GetValue<string>()).Where(name => properties[name] is not { } property || !AllowsNull(property)).ToList();
            objectSchema["required"] = new JsonArray([.. always.Select(n => (JsonNode)n)]);
            if (always.Count == 0)
            {
                objectSchema.Remove("required");
            }
        }

        if (context.Path.IsEmpty || !IsComponent(type) || context.TypeInfo.Kind is not (JsonTypeInfoKind.Object or JsonTypeInfoKind.None))
        {
            return node;
        }

        var reference = Reference(type);
        return AllowsNull(node)
            ? new JsonObject { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) }
            : reference;
    }

    private static bool AllowsNull(JsonNode node) =>
        node is JsonObject schema &&
        ((schema["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null")) ||
         (schema["enum"] is JsonArray values && values.Any(v => v is null)) ||
        (schema["anyOf"] is JsonArray alternatives && alternatives.Any(a => a?["type"]?.GetValue<string>() == "null")) ||
        schema.Count == 0);

    private static JsonSerializerOptions CreateOptions()
    {
        // Numbers are numbers in the contract (a number sent as a string is refused).
        var options = new JsonSerializerOptions(ApiJson.Options)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        };
        options.MakeReadOnly();
        return options;
    }
}
