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
            var tableOptions = new TableClientOptions();
            var blobOptions = new BlobClientOptions();
            ConfigureRetries(tableOptions.Retry);
            ConfigureRetries(blobOptions.Retry);
            return connection.ConnectionString is { } cs
                ? new StorageClients(new TableServiceClient(cs, tableOptions), new BlobServiceClient(cs, blobOptions), options.TablePrefix)
                : new StorageClients(
                    new TableServiceClient(connection.TableUri!, credential, tableOptions),
                    new BlobServiceClient(connection.BlobUri!, credential, blobOptions),
                    options.TablePrefix);
        });
        return services;
    }

    /// <summary>
    /// Managed identity in Azure (the user-assigned one when <c>AZURE_CLIENT_ID</c> is set), the
    /// developer's own sign-in elsewhere; never a key.
    /// </summary>
    private static DefaultAzureCredential CreateCredential(IConfiguration configuration) =>
        new(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] });

    private static void ConfigureRetries(Azure.Core.RetryOptions retry)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = 3;
        retry.Delay = TimeSpan.FromMilliseconds(100);
        retry.MaxDelay = TimeSpan.FromSeconds(2);
        retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}
