using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Platform.Http;

/// <summary><c>If-Match</c> / <c>If-None-Match</c> as RFC 9110 §13.1 defines them: <c>*</c> or a list of entity-tags.</summary>
public static class EntityTags
{
    private const int MaxTagLength = 256;

    /// <summary>The header's entity-tags (empty when absent); 400 problem for anything that is not one.</summary>
    public static IReadOnlyList<string> Parse(HttpRequest request, string headerName)
    {
        var value = request.Headers[headerName].ToString();
        if (value.Length == 0)
        {
            return [];
        }

        var tags = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return tags.Length > 0 && tags.All(t => t == "*" || IsEntityTag(t))
            ? tags
            : throw Problems.BadRequest($"{headerName} must be * or a list of quoted entity-tags, e.g. \"step-3\".");
    }

    /// <summary>Weak comparison, the one <c>If-None-Match</c> uses: <c>W/"x"</c> matches <c>"x"</c>.</summary>
    public static bool WeakMatch(IReadOnlyList<string> tags, string etag) =>
        tags.Any(t => t == "*" || string.Equals(Opaque(t), Opaque(etag), StringComparison.Ordinal));

    private static bool IsEntityTag(string tag)
    {
        var opaque = Opaque(tag);
        return opaque.Length is >= 2 and <= MaxTagLength && opaque[0] == '"' && opaque[^1] == '"' && opaque.IndexOf('"', 1) == opaque.Length - 1;
    }

    private static string Opaque(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
}
