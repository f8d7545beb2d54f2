using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Storage;

public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(StorageOptions.Section);

        services.TryAddSingleton<TokenCredential>(_ => CreateCredential(configuration));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var connection = StorageConnection.Resolve(configuration, options.Connection);
            var credential = sp.GetRequiredService<TokenCredential>();
            // The privacy data map (AddPrivacy): a store it does not declare cannot be opened.
            var declared = sp.GetRequiredService<IDeclaredStores>();
            var tableOptions = Configure(new TableClientOptions(), options);
            var blobOptions = Configure(new BlobClientOptions(), options);
            return connection.ConnectionString is { } cs
                ? new StorageClients(new TableServiceClient(cs, tableOptions), new BlobServiceClient(cs, blobOptions), options.TablePrefix, declared)
                : new StorageClients(
                    new TableServiceClient(connection.TableUri!, credential, tableOptions),
                    new BlobServiceClient(connection.BlobUri!, credential, blobOptions),
                    options.TablePrefix,
                    declared);
        });
        return services;
    }

    /// <summary>
    /// Managed identity in Azure (the user-assigned one when <c>AZURE_CLIENT_ID</c> is set), the
    /// developer's own sign-in elsewhere; never a key.
    /// </summary>
    internal static DefaultAzureCredential CreateCredential(IConfiguration configuration) =>
        new(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] });

    /// <summary>
    /// The one retry layer of every storage call (docs/decisions/0006-one-retry-layer.md): the SDK pipeline's
    /// exponential retries on 408, 429, 5xx and network failures. Nothing above it retries transient failures;
    /// stores only recognise their own commit behind a lost response (<see cref="ConditionalTableWrites"/>).
    /// </summary>
    public static T Configure<T>(T clientOptions, StorageOptions options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        ArgumentNullException.ThrowIfNull(options);
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        return clientOptions;
    }
}
