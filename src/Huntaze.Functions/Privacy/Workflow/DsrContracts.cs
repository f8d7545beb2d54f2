using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.Functions.Privacy.Workflow;

/// <summary>
/// Orchestration payloads. They carry request ids, handler keys and counts only — never a user id or
/// any other personal data — so the task hub's history holds nothing to erase (the data map's claim,
/// checked by the erasure verification scan in the tests).
/// </summary>
public sealed record DsrInput(string RequestId);

/// <summary>What the workflow will do: the handler keys per erasure wave (export: all in the first list).</summary>
public sealed record DsrPlan(string Type, bool Done, IReadOnlyList<string> Handlers, IReadOnlyList<string> LateHandlers);

public sealed record DsrStoreInput(string RequestId, string Handler);

public sealed record DsrStoreResult(string Handler, IReadOnlyList<StoreCount> Counts);

public sealed record DsrCompleteInput(string RequestId, IReadOnlyList<StoreCount> Erased, IReadOnlyList<StoreCount> Found);

public sealed record DsrFailInput(string RequestId, string Reason);

/// <summary>The orchestration's custom status: which phase, how many of its steps are done.</summary>
public sealed record DsrProgress(string Phase, int Done, int Total);
