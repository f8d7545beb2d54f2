namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// Thrown by services and functions to answer with a problem; the pipeline's one mapper turns it into
/// RFC 9457 <c>application/problem+json</c>.
/// </summary>
public sealed class ProblemException(
    ProblemType type,
    string? detail = null,
    IReadOnlyDictionary<string, object?>? extensions = null,
    IReadOnlyDictionary<string, string>? headers = null)
    : Exception(detail ?? type.Title)
{
    public ProblemType Type { get; } = type;

    public string? Detail { get; } = detail;

    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();

    public IReadOnlyDictionary<string, string> Headers { get; } = headers ?? new Dictionary<string, string>();
}
