namespace Huntaze.Functions.Platform.Orchestrations;

/// <summary>One instance as admins see it: metadata only (inputs and outputs hold personal data).</summary>
public sealed record OrchestrationView(
    string Id,
    string Name,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt);

/// <summary>GET /api/admin/orchestrations: a page of instances, newest query page first.</summary>
public sealed record OrchestrationPage(IReadOnlyList<OrchestrationView> Items, string? ContinuationToken);

/// <summary>POST /api/admin/orchestrations/{id}/terminate: accepted; the status URL shows when it took effect.</summary>
public sealed record TerminationAccepted(string Id, string PreviousStatus, string StatusUrl);
