using System.Collections;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Platform.Http;

/// <summary>
/// The log scope of one HTTP invocation: <c>CorrelationId</c>, <c>TraceId</c> and <c>FunctionName</c>, read by
/// the logging providers that include scopes. The trace id is formatted only when a log line asks for it; most
/// requests log nothing.
/// </summary>
internal sealed class PipelineLogScope(string correlationId, Activity? span, HttpContext http, string functionName)
    : IReadOnlyList<KeyValuePair<string, object>>
{
    public int Count => 3;

    public KeyValuePair<string, object> this[int index] => index switch
    {
        0 => new("CorrelationId", correlationId),
        1 => new("TraceId", span?.TraceId.ToString() ?? http.TraceIdentifier),
        2 => new("FunctionName", functionName),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"CorrelationId:{correlationId} TraceId:{this[1].Value} FunctionName:{functionName}";
}
