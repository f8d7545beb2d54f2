using System.Text;

namespace Huntaze.IntegrationTests.Contract.Fuzz;

/// <summary>The mutations the fuzzer applies to a request built from the document (issue 15's list).</summary>
public enum Mutation
{
    WrongType,
    MissingField,
    ExtraField,
    HugeString,
    HugeNumber,
    DeepNesting,
    InvalidUtf8,
    DuplicateKeys,
    OddHeaders,
    BadETag,
    PathTraversal,
    UnicodeId,
    OtherMethod,
    BadBody,
    WrongCredential,

    // Rejected by Kestrel before the app sees them (bare 400/414/431: see docs/api/README.md).
    NonAsciiHeaderBytes,
    OversizedHeaders,
    OversizedUrl,
}

/// <summary>One generated request: everything needed to send it again (replay by seed and index).</summary>
public sealed record FuzzRequest(
    int Index,
    string Operation,
    string Method,
    string PathAndQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    string? ContentType,
    IReadOnlyList<Mutation> Mutations)
{
    /// <summary>Kestrel answers these itself, without the app's headers.</summary>
    public bool TransportLevel =>
        Mutations.Any(m => m is Mutation.NonAsciiHeaderBytes or Mutation.OversizedHeaders or Mutation.OversizedUrl)
        // Kestrel refuses a NUL anywhere in the decoded path ("Invalid request target").
        || PathAndQuery.Split('?')[0].Contains("%00", StringComparison.Ordinal);

    public bool Writes => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    public override string ToString()
    {
        var text = new StringBuilder()
            .Append(Index).Append(' ').Append(Operation).Append(" [").Append(string.Join(",", Mutations)).Append("] ")
            .Append(Method).Append(' ').Append(PathAndQuery.Length > 300 ? PathAndQuery[..300] + "…" : PathAndQuery);
        foreach (var (name, value) in Headers)
        {
            text.Append(" | ").Append(name).Append(": ").Append(value.Length > 120 ? value[..120] + "…" : value);
        }

        if (Body is not null)
        {
            var body = Convert.ToBase64String(Body);
            text.Append(" | body(base64): ").Append(body.Length > 400 ? body[..400] + "…" : body);
        }

        return text.ToString();
    }
}
