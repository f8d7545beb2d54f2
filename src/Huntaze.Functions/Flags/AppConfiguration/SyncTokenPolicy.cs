using Azure.Core;
using Azure.Core.Pipeline;

namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>Echoes the highest <c>Sync-Token</c> seen on every attempt and records the ones answered.</summary>
internal sealed class SyncTokenPolicy(SyncTokens tokens) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        if (tokens.HeaderValue() is { } value)
        {
            message.Request.Headers.SetValue(SyncTokens.HeaderName, value);
        }
    }

    public override void OnReceivedResponse(HttpMessage message)
    {
        if (message.Response.Headers.TryGetValues(SyncTokens.HeaderName, out var values))
        {
            tokens.Update(values);
        }
    }
}
