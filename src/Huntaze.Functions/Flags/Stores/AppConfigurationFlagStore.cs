using System.Globalization;
using Huntaze.Functions.Flags.AppConfiguration;
using Huntaze.Functions.Flags.Documents;

namespace Huntaze.Functions.Flags.Stores;

/// <summary>Flags as App Configuration feature flags (<c>.appconfig.featureflag/{id}</c>, one label).</summary>
public sealed class AppConfigurationFlagStore(AppConfigurationClient client, string label) : IFlagStore
{
    public const string KeyPrefix = ".appconfig.featureflag/";

    /// <summary>The tag carrying the write id of our last write (how a retried write recognises its own commit).</summary>
    public const string WriteIdTag = "huntaze.writeId";

    /// <summary>App Configuration's combined limit on a key-value: key, label, value, content type and tags.</summary>
    public const int MaxKeyValueLength = 10_000;

    public string Kind => "appConfiguration";

    public async Task<IReadOnlyList<StoredDocument>> ListAsync(CancellationToken cancellationToken)
    {
        var settings = await Call(() => client.ListAsync(KeyPrefix, label, cancellationToken)).ConfigureAwait(false);
        return settings.Select(ToDocument).ToList();
    }

    public async Task<StoredDocument?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var result = await Call(() => client.GetAsync(KeyPrefix + name, label, null, cancellationToken)).ConfigureAwait(false);
        return result.Setting is { } setting ? ToDocument(setting) : null;
    }

    public async Task<StoredFlag> SaveAsync(FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken)
    {
        var key = KeyPrefix + flag.Id;
        var document = FlagDocument.Serialize(flag);
        var writeId = Guid.NewGuid().ToString("N");
        var sent = new Dictionary<string, string>(tags, StringComparer.Ordinal) { [WriteIdTag] = writeId };
        var length = key.Length + label.Length + document.Length + FlagDocument.ContentType.Length + sent.Sum(t => t.Key.Length + t.Value.Length);
        if (length > MaxKeyValueLength)
        {
            throw new FlagTooLargeException(string.Create(
                CultureInfo.InvariantCulture,
                $"The flag would take {length} characters in App Configuration, which holds at most {MaxKeyValueLength} per key-value (key, value and tags together)."));
        }

        var written = FlagDocument.Parse(document).Flag!;
        try
        {
            var setting = await client.PutAsync(key, label, document, FlagDocument.ContentType, sent, condition.IfMatch, condition.IfAbsent, cancellationToken).ConfigureAwait(false);
            return new StoredFlag(written, setting.ETag ?? string.Empty, WithoutWriteId(setting.Tags ?? sent));
        }
        catch (AppConfigurationException exception) when (exception.IsPreconditionFailed)
        {
            // A PUT whose response was lost is retried by the pipeline and then meets its own commit as 412.
            // It is ours only if the key carries our write id and our document.
            var current = await Call(() => client.GetAsync(key, label, null, cancellationToken)).ConfigureAwait(false);
            if (current.Setting is { } s && s.Tags?.GetValueOrDefault(WriteIdTag) == writeId && s.Value == document)
            {
                return new StoredFlag(written, s.ETag ?? string.Empty, WithoutWriteId(s.Tags));
            }

            throw new FlagConflictException("The flag has changed since it was read.", exception);
        }
        catch (AppConfigurationException exception)
        {
            throw Unavailable(exception);
        }
    }

    private static StoredDocument ToDocument(ConfigurationSetting setting) =>
        StoredDocument.Read(setting.Key[KeyPrefix.Length..], setting.ETag ?? string.Empty, WithoutWriteId(setting.Tags), setting.Value ?? string.Empty);

    private static Dictionary<string, string> WithoutWriteId(IReadOnlyDictionary<string, string>? tags) =>
        (tags ?? new Dictionary<string, string>()).Where(t => t.Key != WriteIdTag).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AppConfigurationException exception)
        {
            throw Unavailable(exception);
        }
    }

    /// <summary>
    /// Unreachable, throttled, failing, or refusing us (401/403 after a role change): for the sync and the
    /// admin API alike the source is unusable and last-known-good flags keep serving.
    /// </summary>
    private static FlagStoreUnavailableException Unavailable(AppConfigurationException exception) =>
        new($"App Configuration is unavailable ({exception.Status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"}).", exception);
}
