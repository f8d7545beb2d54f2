using System.Diagnostics;
using OpenTelemetry;

namespace Huntaze.Functions.Observability;

/// <summary>
/// Strips attributes that identify a person more than the pseudonymous user id does (client address, user agent,
/// query strings, full URLs, authenticated names) from every span before any exporter sees it. Instrumentation
/// libraries add some of these by default and their defaults change between versions: this is the one place that
/// decides, whatever they do.
/// </summary>
public sealed class PersonalDataRedactor : BaseProcessor<Activity>
{
    public static readonly IReadOnlySet<string> Removed = new HashSet<string>(StringComparer.Ordinal)
    {
        "client.address",
        "client.port",
        "network.peer.address",
        "network.peer.port",
        "user_agent.original",
        "url.query",
        "url.full",
        "http.url",
        "http.client_ip",
        "net.peer.ip",
        "enduser.id",
        "enduser.role",
        "enduser.scope",
        "user.id",
        "user.email",
        "user.name",
        "user.full_name",
    };

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        List<string>? found = null;
        foreach (var tag in data.TagObjects)
        {
            if (Removed.Contains(tag.Key))
            {
                (found ??= []).Add(tag.Key);
            }
        }

        foreach (var key in found ?? [])
        {
            data.SetTag(key, null);
        }
    }
}
