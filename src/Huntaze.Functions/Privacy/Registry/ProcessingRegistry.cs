using System.Text.Json.Serialization;

namespace Huntaze.Functions.Privacy.Registry;

/// <summary>
/// The record of processing activities (GDPR Art. 30(1)) and the data map the code obeys. Served at
/// <c>GET /api/admin/privacy/registry</c> and rendered to <c>docs/privacy/article-30.md</c>.
/// </summary>
public sealed record ProcessingRegistry(
    Party Controller,
    Party DataProtectionOfficer,
    IReadOnlyList<ProcessingActivity> Activities,
    IReadOnlyList<StoreDeclaration> DataMap,
    IReadOnlyList<CookieDeclaration> Cookies,
    IReadOnlyList<ConsentCategory> ConsentCategories);

/// <summary>Name and contact details (Art. 30(1)(a)).</summary>
public sealed record Party(string Name, string Contact, string? Address = null);

/// <summary>One processing activity with the Art. 30(1)(b)–(g) particulars.</summary>
public sealed record ProcessingActivity(
    string Id,
    string Name,
    IReadOnlyList<string> Purposes,
    string LawfulBasis,
    IReadOnlyList<string> SubjectCategories,
    IReadOnlyList<string> DataCategories,
    IReadOnlyList<string> Recipients,
    string Transfers,
    string Retention,
    IReadOnlyList<string> SecurityMeasures,
    IReadOnlyList<string> Objectable);

/// <summary>What kind of store a declaration covers.</summary>
public enum StoreKind
{
    /// <summary>One table (the storage prefix is added).</summary>
    Table,

    /// <summary>Tables named by a pattern, e.g. one per day: <c>ratelimits{yyyyMMdd}</c>.</summary>
    TableFamily,

    /// <summary>One blob container (the storage prefix is added).</summary>
    BlobContainer,

    /// <summary>A Durable Functions task hub (tables, queues and blobs the Durable runtime writes).</summary>
    TaskHub,

    /// <summary>A store outside our storage account (App Configuration, Azure Monitor).</summary>
    External,
}

/// <summary>How a data subject's data is found in a store.</summary>
public enum SubjectLocator
{
    /// <summary>The partition key is the user id: one partition per user.</summary>
    PartitionKey,

    /// <summary>The partition key is the subject reference (keyed hash of the user id).</summary>
    SubjectReference,

    /// <summary>The partition key holds an unkeyed hash of the user id (recomputable from it).</summary>
    HashedPartitionKey,

    /// <summary>User ids inside a document (a flag's targeting lists).</summary>
    InsideDocument,

    /// <summary>Fields encrypted under the subject's key (crypto-shredding).</summary>
    EncryptedFields,

    /// <summary>A property holds the user id in clear (with a prefix, e.g. <c>user:{id}</c>); a filtered scan finds it.</summary>
    UserIdProperty,

    /// <summary>Named by the subject's request ids (request store).</summary>
    ByRequest,

    /// <summary>Named by ids that the subject's rows in another store link to (anonymous consent ids linked at sign-in).</summary>
    LinkedIds,

    /// <summary>Holds no data about creators.</summary>
    None,
}

/// <summary>What a field is, for the data subject.</summary>
public enum FieldClass
{
    /// <summary>Identifies the subject: a user id, or a hash or encryption of one.</summary>
    Identifier,

    /// <summary>Content about the subject (free text, addresses, claims): exported and erased.</summary>
    Personal,

    /// <summary>An attribute that is personal data only through its row's identifier (status, times).</summary>
    Linked,

    /// <summary>No personal data (keys of technical rows, hashes of the chain, versions).</summary>
    Technical,
}

/// <summary>What erasure (Art. 17) does in a store.</summary>
public enum ErasureAction
{
    Delete,
    Pseudonymise,
    CryptoShred,
    Keep,
}

/// <summary>
/// One stored property and its classification. Every property a store writes is listed; a name ending in
/// <c>{n}</c> stands for that name followed by digits (parts of a long value), one ending in <c>{stepId}</c> for
/// that name followed by a catalog step id (<c>[a-z][a-z0-9_]*</c>).
/// </summary>
public sealed record FieldDeclaration(string Name, FieldClass Class, string Description)
{
    private const string Numbered = "{n}";
    private const string StepId = "{stepId}";

    public bool Matches(string property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return Name.EndsWith(Numbered, StringComparison.Ordinal) ? Suffixed(property, Numbered, char.IsAsciiDigit)
            : Name.EndsWith(StepId, StringComparison.Ordinal) ? Suffixed(property, StepId, c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            : property == Name;
    }

    private bool Suffixed(string property, string placeholder, Func<char, bool> allowed) =>
        property.Length > Name.Length - placeholder.Length &&
        property.StartsWith(Name[..^placeholder.Length], StringComparison.Ordinal) &&
        property[(Name.Length - placeholder.Length)..].All(allowed);
}

public sealed record RetentionRule(string Description, TimeSpan? Period = null, string? Setting = null);

/// <summary><paramref name="LegalBasis"/> says why data is kept or only pseudonymised.</summary>
public sealed record ErasureRule(ErasureAction Action, string Description, string? LegalBasis = null);

/// <summary>Whether the daily backup (issue 12) copies the store, and why (not).</summary>
public sealed record BackupRule(bool Included, string Reason);

/// <summary>
/// One store the app writes. <see cref="Name"/> is the logical name (the storage prefix is added);
/// <see cref="NameSetting"/>, when set, is the configuration key that can rename it. For a
/// <see cref="StoreKind.TableFamily"/> the name holds one placeholder, <c>{yyyyMMdd}</c>.
/// <see cref="EntityTypes"/> are the typed entities written there: a test checks each of their
/// properties is one of <see cref="Fields"/>.
/// </summary>
public sealed record StoreDeclaration(
    string Name,
    StoreKind Kind,
    string Owner,
    string Holds,
    IReadOnlyList<string> Activities,
    SubjectLocator Locator,
    string HowFound,
    IReadOnlyList<FieldDeclaration> Fields,
    RetentionRule Retention,
    ErasureRule Erasure,
    BackupRule Backup,
    string? NameSetting = null,
    [property: JsonIgnore] IReadOnlyList<Type>? EntityTypes = null)
{
    /// <summary>Unique across kinds (a table and a container may share a name): <c>blob:</c> marks containers.</summary>
    [JsonIgnore]
    public string Key => Kind == StoreKind.BlobContainer ? "blob:" + Name : Name;

    [JsonIgnore]
    public IEnumerable<FieldDeclaration> PersonalFields => Fields.Where(f => f.Class is not FieldClass.Technical);
}

/// <summary>A cookie the app or its front end sets (ePrivacy Art. 5(3); the consent banner lists these).</summary>
public sealed record CookieDeclaration(string Name, string Category, string Purpose, string Lifetime, string SetBy, string Attributes);

/// <summary>
/// A consent category the banner offers: the Google Consent Mode v2 signals it sets, the processing activities that
/// may run only with it (the server checks), and, for targeting, the flags it governs (<see cref="FlagPrefix"/>:
/// flags whose name starts with it; null = none).
/// </summary>
public sealed record ConsentCategory(
    string Id,
    string Name,
    string Description,
    bool AlwaysOn,
    IReadOnlyList<string> ConsentModeSignals,
    IReadOnlyList<string> RequiredBy,
    string? FlagPrefix = null);
