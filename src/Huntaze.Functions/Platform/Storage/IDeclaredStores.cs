namespace Huntaze.Functions.Platform.Storage;

/// <summary>
/// The tables and blob containers the app may open: the privacy data map (Privacy/Registry/HuntazeDataMap.cs).
/// <see cref="StorageClients"/> asks it before it opens a store for the first time, so a store nobody
/// declared (with how a subject's data is found there, its personal fields, retention and erasure) cannot
/// be written.
/// </summary>
public interface IDeclaredStores
{
    /// <exception cref="UndeclaredStoreException">No declaration covers the table.</exception>
    void EnsureTable(string logicalName);

    /// <exception cref="UndeclaredStoreException">No declaration covers the container.</exception>
    void EnsureContainer(string logicalName);
}

/// <summary>A table or container opened without a data-map declaration: a programming error, caught at first use.</summary>
public sealed class UndeclaredStoreException : InvalidOperationException
{
    public UndeclaredStoreException()
    {
    }

    public UndeclaredStoreException(string message)
        : base(message)
    {
    }

    public UndeclaredStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public static UndeclaredStoreException For(string kind, string logicalName) => new(
        $"The {kind} '{logicalName}' is not declared in the privacy data map (src/Huntaze.Functions/Privacy/Registry/HuntazeDataMap.cs). " +
        "Declare it there (how a subject's data is found, which fields are personal, retention, erasure and backup) before the app may open it.");
}
