namespace Huntaze.Functions.Privacy.Consent;

/// <summary>
/// One recorded choice (Art. 7(1) proof): what was chosen under which policy version, when, where, and a hash of
/// the browser's User-Agent. <see cref="LinkedFrom"/> names the anonymous consent id a signed-in user's record was
/// copied from at sign-in. Records are appended, never changed (erasure only removes the identity from them).
/// </summary>
public sealed record ConsentRecord(
    int Seq,
    ConsentChoice Choice,
    string PolicyVersion,
    string Source,
    DateTimeOffset RecordedAt,
    string? UserAgentHash,
    string? LinkedFrom = null)
{
    /// <summary>Same categories under the same policy: appending it would record no change.</summary>
    public bool SameAs(ConsentChoice choice, string policyVersion) => Choice == choice && PolicyVersion == policyVersion;
}

/// <summary>
/// Where one subject's records live: a signed-in user's partition (the subject reference) in
/// <see cref="ConsentStore.UserTable"/>, or an anonymous visitor's (the cookie's consent id) in <see cref="ConsentStore.AnonymousTable"/>.
/// </summary>
public sealed record ConsentKey(string Table, string Partition)
{
    public bool IsUser => Table == ConsentStore.UserTable;

    public static ConsentKey User(string subjectRef) => new(ConsentStore.UserTable, subjectRef);

    public static ConsentKey Anonymous(string consentId) => new(ConsentStore.AnonymousTable, consentId);
}
