using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.Authentication;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Csrf;

/// <summary>
/// The CSRF signing key, in order of preference: <c>Security__CsrfSigningKey</c>; in Development, a key
/// derived from the development signing key; otherwise a random key created once in the app's private
/// <c>secrets</c> blob container (create-if-absent with <c>If-None-Match: *</c>, so every instance ends up with
/// the same key and no secret has to be deployed). Only the app's managed identity can read that container.
/// </summary>
public sealed class CsrfKeyProvider(IOptions<SecurityOptions> security, IOptions<AuthOptions> auth, SecurityEnvironment environment, StorageClients storage) : IDisposable
{
    public const string Container = "secrets";
    public const string BlobName = "csrf-signing-key";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CsrfTokens? _tokens;

    public async Task<CsrfTokens> GetAsync(CancellationToken cancellationToken)
    {
        if (_tokens is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _tokens ??= new CsrfTokens(await LoadKeyAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (RequestFailedException)
        {
            throw Problems.DependencyUnavailable("The CSRF key cannot be loaded from storage.", TimeSpan.FromSeconds(5));
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<byte[]> LoadKeyAsync(CancellationToken cancellationToken)
    {
        if (security.Value.CsrfSigningKey is { Length: > 0 } configured)
        {
            return Convert.FromBase64String(configured);
        }

        if (environment.IsDevelopment && auth.Value.DevelopmentSigningKey is { Length: > 0 } developmentKey)
        {
            return CsrfTokens.DeriveFromDevelopmentKey(developmentKey);
        }

        return await LoadOrCreateStoredKeyAsync(storage, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<byte[]> LoadOrCreateStoredKeyAsync(StorageClients storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var container = await storage.GetContainerAsync(Container, cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlobClient(BlobName);
        try
        {
            await blob.UploadAsync(
                BinaryData.FromBytes(RandomNumberGenerator.GetBytes(32)),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another instance created it first: everyone uses that one.
        }

        var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return content.Value.Content.ToArray();
    }
}
