using System.Text.RegularExpressions;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.Configuration;

namespace Huntaze.Functions.Privacy.Registry;

/// <summary>
/// The data map with its names resolved against configuration (a renamed table is still the same
/// declaration). The storage layer asks it before opening a store; export, erasure, retention and the
/// backups enumerate it.
/// </summary>
public sealed class DataMap : IDeclaredStores
{
    private const string DayPlaceholder = "{yyyyMMdd}";
    private readonly Dictionary<string, StoreDeclaration> _exact = new(StringComparer.Ordinal);
    private readonly List<(Regex Pattern, StoreDeclaration Store)> _families = [];

    public DataMap(IEnumerable<StoreDeclaration> stores, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(stores);
        Stores = [.. stores];
        foreach (var store in Stores)
        {
            var name = NameOf(store, configuration);
            switch (store.Kind)
            {
                case StoreKind.Table or StoreKind.BlobContainer:
                    if (!_exact.TryAdd(Key(store.Kind, name), store))
                    {
                        throw new InvalidOperationException($"The data map declares the {store.Kind} '{name}' twice.");
                    }

                    Names[store.Key] = name;
                    break;
                case StoreKind.TableFamily:
                    if (!store.Name.EndsWith(DayPlaceholder, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"The table family '{store.Name}' must end with {DayPlaceholder}.");
                    }

                    _families.Add((new Regex("^" + Regex.Escape(store.Name[..^DayPlaceholder.Length]) + "[0-9]{8}$", RegexOptions.CultureInvariant), store));
                    Names[store.Key] = store.Name;
                    break;
                default:
                    Names[store.Key] = name;
                    break;
            }
        }
    }

    /// <summary>Every declaration, in declaration order.</summary>
    public IReadOnlyList<StoreDeclaration> Stores { get; }

    /// <summary>Declaration key (<see cref="StoreDeclaration.Key"/>) → effective logical name (after configuration).</summary>
    public Dictionary<string, string> Names { get; } = new(StringComparer.Ordinal);

    /// <summary>The app's own map, with names from <paramref name="configuration"/> (defaults when null).</summary>
    public static DataMap Create(IConfiguration? configuration = null) => new(HuntazeDataMap.Stores, configuration);

    /// <summary>The effective logical name of a declared store (by its key).</summary>
    public string NameOf(string key) =>
        Names.TryGetValue(key, out var name) ? name : throw new InvalidOperationException($"'{key}' is not in the data map.");

    public StoreDeclaration Get(string key) =>
        Stores.FirstOrDefault(s => s.Key == key) ?? throw new InvalidOperationException($"'{key}' is not in the data map.");

    /// <summary>The declaration covering a table's logical name, or null.</summary>
    public StoreDeclaration? FindTable(string logicalName) =>
        _exact.GetValueOrDefault(Key(StoreKind.Table, logicalName)) ?? _families.FirstOrDefault(f => f.Pattern.IsMatch(logicalName)).Store;

    public StoreDeclaration? FindContainer(string logicalName) => _exact.GetValueOrDefault(Key(StoreKind.BlobContainer, logicalName));

    public void EnsureTable(string logicalName)
    {
        if (FindTable(logicalName) is null)
        {
            throw UndeclaredStoreException.For("table", logicalName);
        }
    }

    public void EnsureContainer(string logicalName)
    {
        if (FindContainer(logicalName) is null)
        {
            throw UndeclaredStoreException.For("blob container", logicalName);
        }
    }

    /// <summary>
    /// The physical tables of the map that exist in <paramref name="storage"/>'s account under its prefix:
    /// exact tables once each, and every member of a family (one per day). For backups and scans.
    /// </summary>
    public async Task<IReadOnlyList<(StoreDeclaration Store, string LogicalName)>> ListTablesAsync(StorageClients storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var found = new List<(StoreDeclaration, string)>();
        await foreach (var table in storage.TableService.QueryAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!table.Name.StartsWith(storage.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var logical = table.Name[storage.Prefix.Length..];
            if (FindTable(logical) is { } store)
            {
                found.Add((store, logical));
            }
        }

        return found;
    }

    private static string NameOf(StoreDeclaration store, IConfiguration? configuration) =>
        store.NameSetting is { } setting && configuration?[setting] is { Length: > 0 } configured ? configured : store.Name;

    private static string Key(StoreKind kind, string name) => kind + "/" + name;
}
