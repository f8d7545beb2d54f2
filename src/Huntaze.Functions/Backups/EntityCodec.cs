using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace Huntaze.Functions.Backups;

/// <summary>
/// One Table entity as one JSON object that keeps every property's EDM type, so a restore writes back the
/// same types (an Int64 stays an Int64, a DateTime a DateTime): <c>{"pk":…,"rk":…,"p":{"Name":["S","…"],…}}</c>.
/// Properties are written in ordinal order and the service's own <c>Timestamp</c> and ETag are left out, so
/// the same entity always encodes to the same bytes (the drill compares hashes of restored tables).
/// Type codes: S string, B bool, I Int32, L Int64 (as a string), D double (round-trip string), T DateTime
/// (ISO 8601 UTC), G Guid, X binary (base64).
/// </summary>
public static class EntityCodec
{
    private static readonly HashSet<string> SystemProperties = new(StringComparer.Ordinal) { "PartitionKey", "RowKey", "Timestamp", "odata.etag" };

    public static void Write(Utf8JsonWriter writer, TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entity);
        writer.WriteStartObject();
        writer.WriteString("pk", entity.PartitionKey);
        writer.WriteString("rk", entity.RowKey);
        writer.WritePropertyName("p");
        WriteProperties(writer, entity);
        writer.WriteEndObject();
    }

    /// <summary>The entity's own properties (no keys, no system properties) as a typed JSON object.</summary>
    public static void WriteProperties(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> properties)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(properties);
        writer.WriteStartObject();
        foreach (var (name, value) in properties.Where(p => !SystemProperties.Contains(p.Key) && p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteStartArray(name);
            switch (value)
            {
                case string s: writer.WriteStringValue("S"); writer.WriteStringValue(s); break;
                case bool b: writer.WriteStringValue("B"); writer.WriteBooleanValue(b); break;
                case int i: writer.WriteStringValue("I"); writer.WriteNumberValue(i); break;
                case long l: writer.WriteStringValue("L"); writer.WriteStringValue(l.ToString(CultureInfo.InvariantCulture)); break;
                case double d: writer.WriteStringValue("D"); writer.WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture)); break;
                case DateTimeOffset t: writer.WriteStringValue("T"); writer.WriteStringValue(t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)); break;
                case DateTime t: writer.WriteStringValue("T"); writer.WriteStringValue(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToString("O", CultureInfo.InvariantCulture)); break;
                case Guid g: writer.WriteStringValue("G"); writer.WriteStringValue(g.ToString("D")); break;
                case byte[] bytes: writer.WriteStringValue("X"); writer.WriteBase64StringValue(bytes); break;
                case BinaryData data: writer.WriteStringValue("X"); writer.WriteBase64StringValue(data.ToMemory().Span); break;
                default: throw new NotSupportedException($"Property '{name}' has a type Table Storage does not store.");
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public static TableEntity Read(JsonElement element)
    {
        var entity = new TableEntity(element.GetProperty("pk").GetString()!, element.GetProperty("rk").GetString()!);
        ReadProperties(element.GetProperty("p"), entity);
        return entity;
    }

    public static TableEntity Read(ReadOnlySpan<byte> line)
    {
        using var document = JsonDocument.Parse(line.ToArray());
        return Read(document.RootElement);
    }

    /// <summary>Adds the typed properties of <paramref name="properties"/> to <paramref name="target"/>.</summary>
    public static void ReadProperties(JsonElement properties, IDictionary<string, object?> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var property in properties.EnumerateObject())
        {
            var type = property.Value[0].GetString();
            var value = property.Value[1];
            target[property.Name] = type switch
            {
                "S" => value.GetString(),
                "B" => value.GetBoolean(),
                "I" => value.GetInt32(),
                "L" => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                "D" => double.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                "T" => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                "G" => Guid.Parse(value.GetString()!),
                "X" => value.GetBytesFromBase64(),
                _ => throw new FormatException($"Unknown type code '{type}' for property '{property.Name}'."),
            };
        }
    }
}
