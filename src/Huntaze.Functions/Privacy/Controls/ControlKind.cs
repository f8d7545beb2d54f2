namespace Huntaze.Functions.Privacy.Controls;

/// <summary>A per-subject processing control (table <c>privacycontrols</c>, row key <see cref="ControlKinds.RowKey"/>).</summary>
public enum ControlKind
{
    /// <summary>Art. 18: stored, not processed.</summary>
    Restriction,

    /// <summary>Art. 21: no analytics events.</summary>
    ObjectionAnalytics,

    /// <summary>Art. 21: out of percentage rollouts.</summary>
    ObjectionExperimentation,

    /// <summary>Set by the DPO: erasure is refused while it holds.</summary>
    LegalHold,
}

/// <summary>Purposes a subject may object to (Art. 21), as sent in a request.</summary>
public static class ObjectionPurposes
{
    public const string Analytics = "analytics";
    public const string Experimentation = "experimentation";

    public static readonly IReadOnlyList<string> All = [Analytics, Experimentation];

    public static ControlKind? ToControl(string? purpose) => purpose switch
    {
        Analytics => ControlKind.ObjectionAnalytics,
        Experimentation => ControlKind.ObjectionExperimentation,
        _ => null,
    };
}

public static class ControlKinds
{
    public static string RowKey(ControlKind kind) => kind switch
    {
        ControlKind.Restriction => "restriction",
        ControlKind.ObjectionAnalytics => "objection-analytics",
        ControlKind.ObjectionExperimentation => "objection-experimentation",
        ControlKind.LegalHold => "hold",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static ControlKind? FromRowKey(string rowKey) => rowKey switch
    {
        "restriction" => ControlKind.Restriction,
        "objection-analytics" => ControlKind.ObjectionAnalytics,
        "objection-experimentation" => ControlKind.ObjectionExperimentation,
        "hold" => ControlKind.LegalHold,
        _ => null,
    };

    /// <summary>Controls every instance must know without a storage call (the index); a legal hold is read when needed.</summary>
    public static bool IsIndexed(ControlKind kind) => kind != ControlKind.LegalHold;
}

/// <summary>One control in force.</summary>
public sealed record ControlRecord(ControlKind Kind, string? UserId, DateTimeOffset Since, string SetBy, string? Reason);
