namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>
/// The <c>Sync-Token</c> round trip: responses carry <c>id=value;sn=N</c> (comma-separated); requests echo
/// <c>id=value</c> for the highest <c>sn</c> seen per id, so reads after our own writes are not stale.
/// </summary>
public sealed class SyncTokens
{
    public const string HeaderName = "Sync-Token";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Value, long Sequence)> _tokens = new(StringComparer.Ordinal);

    public void Update(IEnumerable<string> headerValues)
    {
        foreach (var header in headerValues)
        {
            foreach (var token in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (TryParse(token, out var id, out var value, out var sequence))
                {
                    lock (_gate)
                    {
                        if (!_tokens.TryGetValue(id, out var known) || known.Sequence < sequence)
                        {
                            _tokens[id] = (value, sequence);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The request header value, or null when nothing was seen yet.</summary>
    public string? HeaderValue()
    {
        lock (_gate)
        {
            return _tokens.Count == 0 ? null : string.Join(',', _tokens.Select(t => $"{t.Key}={t.Value.Value}"));
        }
    }

    private static bool TryParse(string token, out string id, out string value, out long sequence)
    {
        id = value = string.Empty;
        sequence = 0;
        var parts = token.Split(';', StringSplitOptions.TrimEntries);
        var equals = parts[0].IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return false;
        }

        id = parts[0][..equals];
        value = parts[0][(equals + 1)..];
        foreach (var part in parts.Skip(1))
        {
            if (part.StartsWith("sn=", StringComparison.OrdinalIgnoreCase) && long.TryParse(part.AsSpan(3), out var sn))
            {
                sequence = sn;
            }
        }

        return true;
    }
}
