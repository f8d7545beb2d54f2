using Huntaze.Functions.Flags.AppConfiguration;
using Huntaze.Functions.Flags.Documents;

namespace Huntaze.Functions.Flags.Stores;

/// <summary>Flags as App Configuration feature flags (<c>.appconfig.featureflag/{id}</c>, one label).</summary>
public sealed class AppConfigurationFlagStore(AppConfigurationClient client, string label) : IFlagStore
{
    public const string KeyPrefix = ".appconfig.featureflag/";

    public string Kind => "appConfiguration";

    public async Task<FlagListing> ListAsync(CancellationToken cancellationToken)
    {
        var settings = await Call(() => client.ListAsync(KeyPrefix, label, cancellationToken)).ConfigureAwait(false);
        var flags = new List<StoredFlag>();
        var invalid = new List<string>();
        foreach (var setting in settings)
        {
            if (ToStored(setting) is { } stored)
            {
                flags.Add(stored);
            }
            else
            {
                invalid.Add(setting.Key[KeyPrefix.Length..]);
            }
        }

        return new FlagListing(flags, invalid);
    }

    public async Task<StoredFlag?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var result = await Call(() => client.GetAsync(KeyPrefix + name, label, null, cancellationToken)).ConfigureAwait(false);
        return result.Setting is { } setting ? ToStored(setting) : null;
    }

    public async Task<StoredFlag> SaveAsync(FeatureFlag flag, IReadOnlyDictionary<string, string> tags, FlagWriteCondition condition, CancellationToken cancellationToken)
    {
        var written = await Call(() => client.PutAsync(
            KeyPrefix + flag.Id, label, FlagDocument.Serialize(flag), FlagDocument.ContentType, tags, condition.IfMatch, condition.IfAbsent, cancellationToken)).ConfigureAwait(false);
        return new StoredFlag(flag, written.ETag ?? string.Empty, written.Tags ?? tags);
    }

    private static StoredFlag? ToStored(ConfigurationSetting setting)
    {
        var parsed = FlagDocument.Parse(setting.Value ?? string.Empty);
        return parsed.IsValid
            ? new StoredFlag(parsed.Flag!, setting.ETag ?? string.Empty, setting.Tags ?? new Dictionary<string, string>())
            : null;
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AppConfigurationException exception) when (exception.IsPreconditionFailed)
        {
            throw new FlagConflictException("The flag has changed since it was read.", exception);
        }
        catch (AppConfigurationException exception)
        {
            // Unreachable, throttled, failing, or refusing us (401/403 after a role change): for the sync and
            // the admin API alike the source is unusable and last-known-good flags keep serving.
            throw new FlagStoreUnavailableException($"App Configuration is unavailable ({exception.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer"}).", exception);
        }
    }
}
