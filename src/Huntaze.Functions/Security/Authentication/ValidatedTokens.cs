using Huntaze.Functions.Platform.Caching;

namespace Huntaze.Functions.Security.Authentication;

/// <summary>
/// Tokens this instance validated lately, with what validation made of them, so a caller's next requests skip the
/// parse, the signature and the claims (a browser tab sends the same access token for an hour). Only valid tokens
/// are kept: junk credentials cannot fill it. An entry lasts until the token expires (with the validator's skew, as
/// <c>exp</c> is checked) and at most <see cref="MaxAge"/>: a signing key withdrawn from the metadata stops being
/// honoured within that time, as it would at the metadata's next refresh anyway.
/// </summary>
internal sealed class ValidatedTokens(TimeProvider time, int capacity = ValidatedTokens.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    /// <summary>How long a validation is reused at most.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);

    private readonly BoundedCache<TokenValidation> _entries = new(time, capacity);

    /// <summary>Entries held (for tests).</summary>
    internal int Count => _entries.Count;

    public bool TryGet(string token, out TokenValidation validation) => _entries.TryGet(token, out validation);

    public bool TryGet(ReadOnlySpan<char> token, out TokenValidation validation) => _entries.TryGet(token, out validation);

    /// <param name="validUntil">When the token stops being valid (its <c>exp</c> plus the allowed skew).</param>
    public void Add(string token, TokenValidation validation, DateTimeOffset validUntil)
    {
        var latest = time.GetUtcNow() + MaxAge;
        _entries.Set(token, validation, validUntil < latest ? validUntil : latest);
    }
}
