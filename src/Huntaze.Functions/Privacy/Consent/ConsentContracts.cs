namespace Huntaze.Functions.Privacy.Consent;

/// <summary>
/// <c>PUT /api/consent</c>. <see cref="Categories"/> maps category ids to choices; <c>necessary</c> may be sent
/// (true only), optional categories not sent are refused (false).
/// </summary>
public sealed record ConsentPutBody(string? PolicyVersion, string? Source, Dictionary<string, bool>? Categories);

/// <summary>The four categories as the API shows them.</summary>
public sealed record CategoriesView(bool Necessary, bool Analytics, bool Marketing, bool Personalization)
{
    public static CategoriesView Of(ConsentChoice choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        return new(true, choice.Analytics, choice.Marketing, choice.Personalization);
    }
}

/// <summary>One record as proof: sequence, policy version, categories, where and when, and the user-agent hash.</summary>
public sealed record ConsentRecordView(int Seq, string PolicyVersion, CategoriesView Categories, string Source, DateTimeOffset RecordedAt, string? UserAgentHash, bool Linked)
{
    public static ConsentRecordView Of(ConsentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Seq, record.PolicyVersion, CategoriesView.Of(record.Choice), record.Source, record.RecordedAt, record.UserAgentHash, record.LinkedFrom is not null);
    }
}

/// <summary>
/// <c>GET|PUT /api/consent</c>: whether the banner should ask (no record, or one under an older policy version),
/// the categories in force and their Google Consent Mode v2 signals (to forward with <c>gtag('consent', 'update', …)</c>),
/// and the latest record.
/// </summary>
public sealed record ConsentView(
    string Subject,
    bool Ask,
    string PolicyVersion,
    CategoriesView Categories,
    IReadOnlyDictionary<string, string> ConsentMode,
    ConsentRecordView? Record);

/// <summary><c>GET /api/consent/history</c>: every record, oldest first.</summary>
public sealed record ConsentHistoryView(string Subject, IReadOnlyList<ConsentRecordView> Records);
