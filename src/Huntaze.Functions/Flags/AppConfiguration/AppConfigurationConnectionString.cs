namespace Huntaze.Functions.Flags.AppConfiguration;

/// <summary>An App Configuration access key: <c>Endpoint=https://x.azconfig.io;Id=…;Secret=…</c> (Secret is base64).</summary>
public sealed record AppConfigurationConnectionString(Uri Endpoint, string Credential, byte[] Secret)
{
    public static AppConfigurationConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Split on the first '=' only: base64 secrets end with '=' padding.
            var index = segment.IndexOf('=', StringComparison.Ordinal);
            if (index <= 0)
            {
                throw new FormatException("The App Configuration connection string has a segment without '='.");
            }

            parts[segment[..index]] = segment[(index + 1)..];
        }

        if (!parts.TryGetValue("Endpoint", out var endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            throw new FormatException("The App Configuration connection string has no valid Endpoint.");
        }

        if (!parts.TryGetValue("Id", out var id) || id.Length == 0)
        {
            throw new FormatException("The App Configuration connection string has no Id.");
        }

        if (!parts.TryGetValue("Secret", out var secret))
        {
            throw new FormatException("The App Configuration connection string has no Secret.");
        }

        try
        {
            return new AppConfigurationConnectionString(uri, id, Convert.FromBase64String(secret));
        }
        catch (FormatException)
        {
            throw new FormatException("The App Configuration connection string Secret is not base64.");
        }
    }
}
