using Azure;
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
    public const string Container = StoredSecrets.Container;
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
        catch (Exception exception) when (exception is RequestFailedException or AggregateException)
        {
            throw Problems.DependencyUnavailable("The CSRF key cannot be loaded from storage.", TimeSpan.FromSeconds(5));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Loads the key at start, so that a key too short to use stops the app with a message naming the setting
    /// (<see cref="UnusableKeyException"/>) instead of failing cookie writes later. Storage being unreachable
    /// at start is not fatal: the key is loaded on first use then.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ProblemException)
        {
            // Storage unreachable: checked again on first use.
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<byte[]> LoadKeyAsync(CancellationToken cancellationToken)
    {
        // Blank counts as unset, as in the options validator: an app setting present but empty is common.
        if (!string.IsNullOrWhiteSpace(security.Value.CsrfSigningKey))
        {
            return Convert.FromBase64String(security.Value.CsrfSigningKey);
        }

        if (environment.IsDevelopment && !string.IsNullOrWhiteSpace(auth.Value.DevelopmentSigningKey))
        {
            return CsrfTokens.DeriveFromDevelopmentKey(auth.Value.DevelopmentSigningKey);
        }

        var stored = await LoadOrCreateStoredKeyAsync(storage, cancellationToken).ConfigureAwait(false);
        return stored.Length >= CsrfTokens.MinKeyBytes
            ? stored
            : throw new UnusableKeyException(
                $"The stored CSRF key (blob '{Container}/{BlobName}', used because Security:CsrfSigningKey is not set) is {stored.Length} bytes; " +
                $"at least {CsrfTokens.MinKeyBytes} are required. Delete the blob to have a new key created, or set Security:CsrfSigningKey (base64, at least {CsrfTokens.MinKeyBytes} bytes).");
    }

    public static Task<byte[]> LoadOrCreateStoredKeyAsync(StorageClients storage, CancellationToken cancellationToken) =>
        StoredSecrets.LoadOrCreateAsync(storage, BlobName, cancellationToken);
}

/// <summary>The CSRF key cannot be used; the message names the setting or blob to fix. Thrown at start, which stops the app.</summary>
public sealed class UnusableKeyException(string message) : InvalidOperationException(message);
