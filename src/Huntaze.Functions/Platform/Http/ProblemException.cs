namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// Thrown by services and functions to answer with a problem; the pipeline's one mapper turns it into
/// RFC 9457 <c>application/problem+json</c>. Built only by <see cref="Problems"/>, one factory per kind.
/// </summary>
public sealed class ProblemException : Exception
{
    internal ProblemException(
        ProblemType type,
        string? detail = null,
        IReadOnlyDictionary<string, object?>? extensions = null,
        IReadOnlyDictionary<string, string>? headers = null)
        : base(detail ?? type.Title)
    {
        Type = type;
        Detail = detail;
        Extensions = extensions ?? new Dictionary<string, object?>();
        Headers = headers ?? new Dictionary<string, string>();
    }

    public ProblemType Type { get; }

    public string? Detail { get; }

    public IReadOnlyDictionary<string, object?> Extensions { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }
}
