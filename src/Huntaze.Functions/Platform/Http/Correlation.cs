using System.Buffers;
using System.Diagnostics;
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

    /// <summary>
    /// 32 random lower-case hex digits (128 bits, the shape of a W3C trace id). Not <see cref="Guid.NewGuid"/>: on Linux
    /// that reads the kernel's secure random source, a system call per request, and a correlation id needs no secrecy.
    /// </summary>
    public static string NewId() => ActivityTraceId.CreateRandom().ToHexString();

    /// <summary>The request's correlation id, assigning one on first use.</summary>
    public static string Get(HttpContext http)
    {
        if (http.Items.TryGetValue(Key, out var existing) && existing is string id)
        {
            return id;
        }

        string incoming = http.Request.Headers[Header].ToString();
        id = IsValid(incoming) ? incoming : NewId();
        http.Items[Key] = id;
        return id;
    }
}
