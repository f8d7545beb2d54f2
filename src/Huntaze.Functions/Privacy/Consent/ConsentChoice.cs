using Huntaze.Functions.Privacy.Registry;

namespace Huntaze.Functions.Privacy.Consent;

/// <summary>The optional categories a person chose; <c>necessary</c> is always on and not stored.</summary>
public sealed record ConsentChoice(bool Analytics, bool Marketing, bool Personalization)
{
    public static ConsentChoice NecessaryOnly { get; } = new(false, false, false);

    public bool Grants(string category) => category switch
    {
        ConsentCategories.Necessary => true,
        ConsentCategories.Analytics => Analytics,
        ConsentCategories.Marketing => Marketing,
        ConsentCategories.Personalization => Personalization,
        _ => false,
    };

    /// <summary>
    /// Google Consent Mode v2 signals, each <c>granted</c> or <c>denied</c>, from the registry's mapping of
    /// categories to signals (<see cref="HuntazeRegistry.ConsentCategories"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string> ConsentMode() =>
        HuntazeRegistry.ConsentCategories
            .SelectMany(c => c.ConsentModeSignals.Select(signal => (signal, granted: c.AlwaysOn || Grants(c.Id))))
            .ToDictionary(s => s.signal, s => s.granted ? "granted" : "denied", StringComparer.Ordinal);
}

/// <summary>The consent categories (ids used in the API, the store and the registry).</summary>
public static class ConsentCategories
{
    public const string Necessary = "necessary";
    public const string Analytics = "analytics";
    public const string Marketing = "marketing";
    public const string Personalization = "personalization";

    public static readonly IReadOnlyList<string> All = [Necessary, Analytics, Marketing, Personalization];
}

/// <summary>Where a choice was made (recorded as proof).</summary>
public static class ConsentSources
{
    public const string Banner = "banner";
    public const string Settings = "settings";
    public const string Api = "api";

    public static readonly IReadOnlyList<string> All = [Banner, Settings, Api];
}
