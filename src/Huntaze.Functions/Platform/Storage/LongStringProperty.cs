using System.Globalization;
using System.Text;

namespace Huntaze.Functions.Platform.Storage;

/// <summary>
/// A string longer than one Table property holds (64 KiB: 32,768 UTF-16 characters), kept over the properties
/// <c>{name}</c>, <c>{name}1</c>, <c>{name}2</c> … of one entity (or of a journaled change's properties) (the data map declares them as <c>{name}{n}</c>).
/// The entity's 1 MiB bounds the whole: each caller states how many parts it allows.
/// </summary>
public static class LongStringProperty
{
    /// <summary>Characters per property (under the 32,768 a 64 KiB property holds).</summary>
    public const int ChunkLength = 30_000;

    public static string PartName(string name, int index) =>
        index == 0 ? name : name + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>How many properties <paramref name="length"/> characters take.</summary>
    public static int Parts(int length) => Math.Max(1, (length + ChunkLength - 1) / ChunkLength);

    /// <summary>Sets <paramref name="value"/> over the parts it needs and removes any later part an earlier, longer value left.</summary>
    public static void Write<T>(IDictionary<string, T> properties, string name, string value)
        where T : class?
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(value);
        var parts = Parts(value.Length);
        for (var i = 0; i < parts; i++)
        {
            var start = i * ChunkLength;
            properties[PartName(name, i)] = (T)(object)value.Substring(start, Math.Min(ChunkLength, value.Length - start));
        }

        for (var i = parts; properties.Remove(PartName(name, i)); i++)
        {
        }
    }

    /// <summary>The parts joined again; null when the entity has no <paramref name="name"/>.</summary>
    public static string? Read<T>(IDictionary<string, T> properties, string name)
        where T : class?
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (Part(properties, name, 0) is not { } first)
        {
            return null;
        }

        if (Part(properties, name, 1) is null)
        {
            return first;
        }

        var text = new StringBuilder(first);
        for (var i = 1; Part(properties, name, i) is { } part; i++)
        {
            text.Append(part);
        }

        return text.ToString();
    }

    private static string? Part<T>(IDictionary<string, T> properties, string name, int index)
        where T : class? =>
        properties.TryGetValue(PartName(name, index), out var value) ? value as string : null;
}
