using Azure.Core;
using Azure.Core.Pipeline;

namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>
/// The client's Azure.Core options: the one retry layer (exponential with jitter, <c>retry-after-ms</c>
/// honoured, per-attempt timeout) taken from <see cref="AppConfigurationOptions"/>.
/// </summary>
public sealed class AppConfigurationClientOptions : ClientOptions
{
    public AppConfigurationClientOptions(AppConfigurationOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = settings.MaxRetries;
        Retry.Delay = TimeSpan.FromSeconds(settings.BaseDelaySeconds);
        Retry.MaxDelay = TimeSpan.FromSeconds(settings.MaxDelaySeconds);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        Diagnostics.ApplicationId = "huntaze-flags";
    }

    /// <summary>Entra ID scope of App Configuration's data plane in current SDKs.</summary>
    public const string Scope = "https://appconfig.azure.com/.default";

    /// <summary>Entra ID bearer tokens (managed identity in Azure): Azure.Core's policy caches and refreshes them.</summary>
    public static HttpPipelinePolicy Bearer(TokenCredential credential) => new BearerTokenAuthenticationPolicy(credential, Scope);
}
