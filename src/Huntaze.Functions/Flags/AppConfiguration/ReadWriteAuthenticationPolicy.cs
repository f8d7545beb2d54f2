using Azure.Core;
using Azure.Core.Pipeline;

namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>
/// Reads (GET, HEAD) authenticate with one policy and writes with another: in Azure the app's own identity may only
/// read flags (App Configuration Data Reader) and the flag-admin identity writes them (docs/decisions/0013). Each
/// inner policy continues the same pipeline, so retries and token caching stay Azure.Core's.
/// </summary>
public sealed class ReadWriteAuthenticationPolicy(HttpPipelinePolicy reads, HttpPipelinePolicy writes) : HttpPipelinePolicy
{
    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        Choose(message).ProcessAsync(message, pipeline);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        Choose(message).Process(message, pipeline);

    private HttpPipelinePolicy Choose(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var method = message.Request.Method;
        return method == RequestMethod.Get || method == RequestMethod.Head ? reads : writes;
    }
}
