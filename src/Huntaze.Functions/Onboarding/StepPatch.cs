using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Http;

namespace Huntaze.Functions.Onboarding;

/// <summary>PATCH body: the new status, optional per-step answers, and the version read (when If-Match cannot be sent).</summary>
public sealed record StepPatchRequest(StepStatus? Status, JsonElement? Data, int? Version)
{
    public const int MaxDataBytes = 4096;
    public const int MaxDataDepth = 8;

    // Minimal escaping (quotes, backslashes, control characters): the limit counts the UTF-8 bytes of the data,
    // not \uXXXX escapes of every non-ASCII character. The stored text is only ever re-serialized as JSON
    // (with the API's default, HTML-safe encoder), never embedded in markup.
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The data as compact JSON, validated: an object, at most 4,096 bytes of UTF-8, at most 8 levels deep.</summary>
    public string? ValidatedData()
    {
        if (Status is null && Data is null)
        {
            throw Invalid("status", "Send a status, data, or both.");
        }

        if (Data is not { } data || data.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (data.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("data", "data must be a JSON object.");
        }

        var compact = JsonSerializer.Serialize(data, Compact);
        if (Encoding.UTF8.GetByteCount(compact) > MaxDataBytes)
        {
            throw Invalid("data", $"data must be at most {MaxDataBytes} bytes.");
        }

        if (Depth(compact) > MaxDataDepth)
        {
            throw Invalid("data", $"data may nest at most {MaxDataDepth} levels.");
        }

        return compact;
    }

    private static int Depth(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        var max = 0;
        while (reader.Read())
        {
            max = Math.Max(max, reader.CurrentDepth);
        }

        return max;
    }

    private static ProblemException Invalid(string field, string detail) => Problems.Validation(field, detail);
}
