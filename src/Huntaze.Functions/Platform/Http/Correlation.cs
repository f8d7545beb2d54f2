using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Platform.Http;

/// <summary>Correlation ids: accepted from the caller when well-formed, otherwise created.</summary>
public static class Correlation
{
    public const string Header = "X-Correlation-ID";
    private const int MaxLength = 64;
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
    private static readonly object Key = new();

    public static bool IsValid(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && !value.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>The request's correlation id, assigning one on first use.</summary>
    public static string Get(HttpContext http)
    {
        if (http.Items.TryGetValue(Key, out var existing) && existing is string id)
        {
            return id;
        }

        string incoming = http.Request.Headers[Header].ToString();
        id = IsValid(incoming) ? incoming : Guid.NewGuid().ToString("N");
        http.Items[Key] = id;
        return id;
    }
}
