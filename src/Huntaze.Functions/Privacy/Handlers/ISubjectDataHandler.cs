using System.Text.Json.Nodes;
using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.Functions.Privacy.Handlers;

/// <summary>
/// The subject being served: their user id, their subject reference, and the request being handled (its
/// own row and archive are not "found data" until the request completes).
/// </summary>
public sealed record Subject(string UserId, string Ref, string? RequestId = null, DateTimeOffset? Since = null);

/// <summary>One store's share of an export: the declared store name and the subject's items there.</summary>
public sealed record StoreData(string Store, IReadOnlyList<JsonObject> Items);

/// <summary>
/// Export, erasure and counting for the stores of the data map that hold subject data. Every declared
/// store whose data can be found is covered by exactly one handler (a test checks). Implementations must be
/// idempotent: Durable may run an activity twice, and a second erasure must change nothing.
/// </summary>
public interface ISubjectDataHandler
{
    /// <summary>Stable key (activity input, part file name).</summary>
    string Key { get; }

    /// <summary>The declared stores this handler covers.</summary>
    IReadOnlyList<string> Stores { get; }

    /// <summary>Erasure order: wave 0 first, then wave 1 (destroying the subject's audit key comes last).</summary>
    int ErasureWave => 0;

    /// <summary>How much of the subject each store holds, found by reading the store (preview and verification).</summary>
    Task<IReadOnlyList<StoreCount>> CountAsync(Subject subject, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoreData>> ExportAsync(Subject subject, CancellationToken cancellationToken);

    /// <summary>Deletes, pseudonymises or shreds per the data map; returns what changed per store.</summary>
    Task<IReadOnlyList<StoreCount>> EraseAsync(Subject subject, CancellationToken cancellationToken);
}

/// <summary>
/// How many of one subject's rows or documents a handler writes at once. Each write is independent (its own row,
/// its own ETag), so a bounded fan-out only shortens the step; the bound keeps 50 concurrent requests from
/// flooding storage.
/// </summary>
public static class SubjectWrites
{
    public const int Parallelism = 8;

    public static ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
}
