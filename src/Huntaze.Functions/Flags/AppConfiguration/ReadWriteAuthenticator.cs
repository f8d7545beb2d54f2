namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>
/// Reads (GET, HEAD) with one credential and writes with another: in Azure the app's own identity may only read
/// flags (App Configuration Data Reader) and the flag-admin identity writes them (docs/decisions/0013).
/// </summary>
public sealed class ReadWriteAuthenticator(IAppConfigurationAuthenticator reads, IAppConfigurationAuthenticator writes) : IAppConfigurationAuthenticator
{
    public ValueTask AuthenticateAsync(HttpRequestMessage request, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reading = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;
        return (reading ? reads : writes).AuthenticateAsync(request, body, cancellationToken);
    }
}
