using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// Says what is wrong with a request body in the API's words. System.Text.Json's messages name .NET types
/// ("could not be converted to System.Int32", "contained in type 'StepPatchRequest'"), which a client cannot act
/// on and which leak internals: the expected kind is taken from the target type's JSON contract instead.
/// </summary>
internal static partial class JsonErrorText
{
    public static string Describe(JsonException exception, Type target)
    {
        var message = exception.Message;
        var path = exception.Path ?? "$";
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return $"'{path}' is not a member this endpoint accepts.";
        }

        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            return $"'{path}' appears more than once.";
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            return $"Required members are missing: {missing.Groups["names"].Value}.";
        }

        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            return ExpectedKind(target, path) is { } kind ? $"'{path}' must be {kind}." : $"'{path}' has the wrong type or format.";
        }

        // The reader's own messages (syntax, depth) name positions and tokens, not types.
        return exception.InnerException is not null && !message.Contains("type '", StringComparison.Ordinal) && !message.Contains("System.", StringComparison.Ordinal)
            ? message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim()
            : "The request body does not have the expected shape.";
    }

    /// <summary>The JSON kind expected at <paramref name="path"/> (<c>$.a.b[0]</c>), from the target's contract.</summary>
    private static string? ExpectedKind(Type target, string path)
    {
        JsonTypeInfo? info = ApiJson.Options.GetTypeInfo(target);
        foreach (Match segment in PathSegment().Matches(path))
        {
            if (info is null)
            {
                return null;
            }

            if (segment.Groups["index"].Success)
            {
                info = info.ElementType is { } element ? ApiJson.Options.GetTypeInfo(element) : null;
            }
            else
            {
                var name = segment.Groups["name"].Value;
                var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                info = property is null ? null : ApiJson.Options.GetTypeInfo(property.PropertyType);
            }
        }

        return info is null ? null : KindOf(info.Type);
    }

    private static string KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            var values = Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n));
            return $"one of {string.Join(", ", values)}";
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "true or false",
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 => "an integer (a JSON number, not a string)",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number (a JSON number, not a string)",
            TypeCode.String or TypeCode.Char => "a string",
            TypeCode.DateTime => "an ISO 8601 date-time string",
            _ when type == typeof(DateTimeOffset) => "an ISO 8601 date-time string",
            _ when type == typeof(Guid) => "a GUID string",
            _ when type == typeof(JsonElement) => "a JSON value",
            _ when ApiJson.Options.GetTypeInfo(type).Kind == JsonTypeInfoKind.Enumerable => "an array",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"missing required properties including: (?<names>.+?)\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"\.(?<name>[^.\[\]]+)|\['(?<name>[^']+)'\]|\[(?<index>\d+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex PathSegment();
}
