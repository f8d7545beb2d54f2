using System.Security.Cryptography;
using System.Text;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Privacy.Registry;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy.Subjects;

/// <summary>
/// Subject references: <c>s</c> + the first 128 bits of HMAC-SHA256(pseudonymisation key, user id), hex.
/// They key the privacy stores (requests, controls, subject keys) and the erasure ledger, so those never
/// hold a user id as a key and a ledger entry can be matched against restored data without storing the
/// id. The key is <c>Privacy__PseudonymKey</c>, or one created once in the <c>secrets</c> container; it
/// must outlive every backup (a new key would make the ledger match nobody).
/// </summary>
public sealed class SubjectReferences(IOptions<PrivacyOptions> options, StorageClients storage) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    public async ValueTask<string> OfAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Compute(await KeyAsync(cancellationToken).ConfigureAwait(false), userId);
    }

    /// <summary>A hasher for many ids at once (scans, ledger re-application).</summary>
    public async ValueTask<Func<string, string>> HasherAsync(CancellationToken cancellationToken)
    {
        var key = await KeyAsync(cancellationToken).ConfigureAwait(false);
        return userId => Compute(key, userId);
    }

    public void Dispose() => _gate.Dispose();

    internal static string Compute(byte[] key, string userId) =>
        "s" + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("huntaze-subject-v1:" + userId)).AsSpan(0, 16));

    private async ValueTask<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        if (_key is { } key)
        {
            return key;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _key ??= options.Value.PseudonymKey is { Length: > 0 } configured
                ? Convert.FromBase64String(configured)
                : await StoredSecrets.LoadOrCreateAsync(storage, PrivacyStores.PseudonymKeyBlob, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
