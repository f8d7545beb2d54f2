using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Huntaze.Functions.Observability;
using Huntaze.Functions.Platform.Caching;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Privacy.Subjects;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Privacy.Consent;

/// <summary>A consent answer and the <c>Set-Cookie</c> it needs (the anonymous consent id issued, renewed or cleared).</summary>
public sealed record ConsentOutcome<T>(T Body, string? SetCookie);

/// <summary>
/// Consent records for the signed-in user and, before sign-in, for the visitor's anonymous consent id.
/// Sign-in is observed as the first authenticated consent call that carries the anonymous cookie: from then on the
/// two are linked (a link row in the user's partition), and on every such call the newer of the two latest choices
/// is copied to the other side, so the account adopts the choice made before sign-in and the device follows a choice
/// made while signed in (also after sign-out). The server's own checks (<see cref="GrantsAsync"/>) read the user's
/// choice in force, cached per instance for <c>Consent:CacheSeconds</c>.
/// </summary>
public sealed partial class ConsentService(ConsentStore store, SubjectReferences references, IOptions<ConsentOptions> options, TimeProvider time)
{
    public const string UserSubject = "user";
    public const string AnonymousSubject = "anonymous";
    private const int Rounds = 8;
    private const int MaxCached = 100_000;
    private static readonly Counter<long> Recorded =
        HuntazeDiagnostics.Meter.CreateCounter<long>("huntaze.privacy.consent_records", description: "Consent records appended, by subject kind, source and analytics choice.");

    private readonly BoundedCache<ConsentChoice> _inForce = new(time, MaxCached);
    private Func<string, CancellationToken, Task<ConsentChoice>>? _loadInForce;

    public async Task<ConsentOutcome<ConsentView>> GetAsync(Caller? caller, HttpRequest request, CancellationToken cancellationToken)
    {
        var (key, setCookie) = await ResolveAsync(caller, request, cancellationToken).ConfigureAwait(false);
        var latest = key is null ? null : await store.LatestAsync(key, cancellationToken).ConfigureAwait(false);
        return new(View(key, latest), setCookie);
    }

    public async Task<ConsentOutcome<ConsentHistoryView>> HistoryAsync(Caller? caller, HttpRequest request, CancellationToken cancellationToken)
    {
        var (key, setCookie) = await ResolveAsync(caller, request, cancellationToken).ConfigureAwait(false);
        var records = key is null ? [] : await store.HistoryAsync(key, cancellationToken).ConfigureAwait(false);
        return new(new ConsentHistoryView(SubjectOf(key, caller), [.. records.Select(ConsentRecordView.Of)]), setCookie);
    }

    /// <summary>
    /// Appends the choice (nothing when it equals the one in force under the same policy). An anonymous visitor
    /// without a consent id gets one with this first record; a signed-in user's choice is also copied to their device.
    /// </summary>
    public async Task<ConsentOutcome<ConsentView>> PutAsync(Caller? caller, HttpRequest request, ConsentPutBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (choice, policy, source) = Validate(body);
        var wanted = new ConsentRecord(0, choice, policy, source, time.GetUtcNow(), UserAgentHash(request));
        if (caller is null)
        {
            var (present, id) = ConsentCookie.Read(request);
            var visitor = ConsentKey.Anonymous(present ? await KnownIdAsync(id, cancellationToken).ConfigureAwait(false) : ConsentCookie.NewId());
            var recorded = await AppendAsync(visitor, null, wanted, cancellationToken).ConfigureAwait(false);
            return new(View(visitor, recorded), ConsentCookie.Issue(visitor.Partition, options.Value.CookieDays));
        }

        var (user, setCookie) = await ResolveAsync(caller, request, cancellationToken).ConfigureAwait(false);
        var record = await AppendAsync(user!, caller.UserId, wanted, cancellationToken).ConfigureAwait(false);
        if (setCookie is null && ConsentCookie.Read(request).Id is { } device)
        {
            await AppendAsync(ConsentKey.Anonymous(device), null, record with { LinkedFrom = null }, cancellationToken).ConfigureAwait(false);
        }

        return new(View(user, record), setCookie);
    }

    /// <summary>Whether the signed-in user's choice in force grants <paramref name="category"/> (no record: only <c>necessary</c>).</summary>
    /// <remarks>
    /// Every onboarding event asks (a guide view on every GET): the choice is reused for <c>Consent:CacheSeconds</c>
    /// and, for a user still active in its last 40 %, read again in the background, so an active user's requests
    /// never wait on the consent table while no choice is used past the same bound.
    /// </remarks>
    public async ValueTask<bool> GrantsAsync(string userId, string category, CancellationToken cancellationToken)
    {
        var lifetime = Lifetime;
        var choice = await _inForce.GetOrLoadAsync(userId, _loadInForce ??= LoadInForceAsync, lifetime, lifetime * 0.4, cancellationToken).ConfigureAwait(false);
        return choice.Grants(category);
    }

    /// <summary>Starts reading the user's choice in force unless it is cached (a <see cref="GrantsAsync"/> follows shortly and joins the read).</summary>
    public void Prefetch(string userId) => _inForce.Prefetch(userId, _loadInForce ??= LoadInForceAsync, Lifetime);

    private TimeSpan Lifetime => TimeSpan.FromSeconds(options.Value.CacheSeconds);

    private async Task<ConsentChoice> LoadInForceAsync(string userId, CancellationToken cancellationToken) =>
        InForce(await store.LatestAsync(ConsentKey.User(await references.OfAsync(userId, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false));

    /// <summary>The categories a record still grants: none but <c>necessary</c> once a later policy version requires new consent.</summary>
    public ConsentChoice InForce(ConsentRecord? latest) =>
        latest is not null && options.Value.StillHolds(latest.PolicyVersion) ? latest.Choice : ConsentChoice.NecessaryOnly;

    /// <summary>400 with every invalid field; nothing is stored for an invalid body.</summary>
    public (ConsentChoice Choice, string PolicyVersion, string Source) Validate(ConsentPutBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var current = options.Value;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(body.PolicyVersion))
        {
            errors["policyVersion"] = ["policyVersion is required: the version of the consent policy the person was shown."];
        }
        else if (current.Find(body.PolicyVersion) is null)
        {
            errors["policyVersion"] = [$"policyVersion is not a published policy version; the current one is {current.Current.Version}."];
        }

        if (body.Source is null || !ConsentSources.All.Contains(body.Source, StringComparer.Ordinal))
        {
            errors["source"] = [$"source must be one of {string.Join(", ", ConsentSources.All)}."];
        }

        var categories = body.Categories;
        if (categories is null)
        {
            errors["categories"] = [$"categories is required: an object with {string.Join(", ", ConsentCategories.All)} (true or false)."];
        }
        else
        {
            var unknown = categories.Keys.Where(k => !ConsentCategories.All.Contains(k, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                errors["categories"] = [$"Unknown {(unknown.Count == 1 ? "category" : "categories")} {string.Join(", ", unknown.Take(5).Select(Quote))}; the categories are {string.Join(", ", ConsentCategories.All)}."];
            }

            if (categories.TryGetValue(ConsentCategories.Necessary, out var necessary) && !necessary)
            {
                errors["categories.necessary"] = ["necessary cannot be refused: it covers only what the service needs to work and to remember this choice."];
            }
        }

        if (errors.Count > 0)
        {
            throw Problems.Validation(errors);
        }

        return (new ConsentChoice(Chosen(ConsentCategories.Analytics), Chosen(ConsentCategories.Marketing), Chosen(ConsentCategories.Personalization)), body.PolicyVersion!, body.Source!);

        // A category not sent is refused: consent is never assumed.
        bool Chosen(string category) => categories!.TryGetValue(category, out var value) && value;
    }

    /// <summary>SHA-256 of the User-Agent header, hex: enough to tell browsers apart in a dispute, not the header itself.</summary>
    public static string? UserAgentHash(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var agent = request.Headers.UserAgent.ToString();
        return agent.Length == 0 ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(agent.Length > 1024 ? agent[..1024] : agent)));
    }

    /// <summary>Forgets the cached choice of a user (their records changed on this instance).</summary>
    public void Forget(string userId) => _inForce.Remove(userId);

    /// <summary>
    /// The subject of a call: the signed-in user (reconciled with the anonymous consent id their browser sends), else
    /// the visitor's consent id, else null (a visitor who has not chosen yet). An anonymous call with a consent id
    /// this service never issued (or has since deleted) is refused, and the cookie cleared; a signed-in one ignores it.
    /// </summary>
    private async Task<(ConsentKey? Key, string? SetCookie)> ResolveAsync(Caller? caller, HttpRequest request, CancellationToken cancellationToken)
    {
        var (present, id) = ConsentCookie.Read(request);
        if (caller is null)
        {
            return present ? (ConsentKey.Anonymous(await KnownIdAsync(id, cancellationToken).ConfigureAwait(false)), null) : (null, null);
        }

        var user = ConsentKey.User(await references.OfAsync(caller.UserId, cancellationToken).ConfigureAwait(false));
        var device = id is null ? null : ConsentKey.Anonymous(id);
        var deviceLatest = device is null ? null : await store.LatestAsync(device, cancellationToken).ConfigureAwait(false);
        if (deviceLatest is null)
        {
            return (user, present ? ConsentCookie.Clear() : null);
        }

        await ReconcileAsync(user, caller.UserId, device!, deviceLatest, cancellationToken).ConfigureAwait(false);
        return (user, null);
    }

    /// <summary>Links the device to the user and copies the newer latest choice to the other side (equal times: nothing).</summary>
    private async Task ReconcileAsync(ConsentKey user, string userId, ConsentKey device, ConsentRecord deviceLatest, CancellationToken cancellationToken)
    {
        var userLatest = await store.LatestAsync(user, cancellationToken).ConfigureAwait(false);
        if (userLatest is null || deviceLatest.RecordedAt > userLatest.RecordedAt)
        {
            await AppendAsync(user, userId, deviceLatest with { LinkedFrom = device.Partition }, cancellationToken).ConfigureAwait(false);
        }
        else if (userLatest.RecordedAt > deviceLatest.RecordedAt)
        {
            await AppendAsync(device, null, userLatest with { LinkedFrom = null }, cancellationToken).ConfigureAwait(false);
        }

        if (!await store.IsLinkedAsync(user, device.Partition, cancellationToken).ConfigureAwait(false))
        {
            await store.LinkAsync(user, device.Partition, userId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The cookie's consent id when well-formed and issued here (it has records); else 400 and the cookie is cleared.</summary>
    private async Task<string> KnownIdAsync(string? id, CancellationToken cancellationToken) =>
        id is not null && await store.LatestAsync(ConsentKey.Anonymous(id), cancellationToken).ConfigureAwait(false) is not null
            ? id
            : throw Problems.ConsentCookieUnknown(ConsentCookie.Clear());

    /// <summary>Appends <paramref name="wanted"/> as the next record unless the latest already says the same; re-reads on a lost race.</summary>
    private async Task<ConsentRecord> AppendAsync(ConsentKey key, string? userId, ConsentRecord wanted, CancellationToken cancellationToken)
    {
        for (var round = 0; round < Rounds; round++)
        {
            var latest = await store.LatestAsync(key, cancellationToken).ConfigureAwait(false);
            if (latest is not null && latest.SameAs(wanted.Choice, wanted.PolicyVersion))
            {
                return latest;
            }

            var next = wanted with { Seq = (latest?.Seq ?? 0) + 1 };
            if (await store.AppendAsync(key, next, userId, cancellationToken).ConfigureAwait(false))
            {
                if (userId is not null)
                {
                    Forget(userId);
                }

                Recorded.Add(1, new("subject", key.IsUser ? UserSubject : AnonymousSubject), new("source", next.Source), new("analytics", next.Choice.Analytics));
                return next;
            }
        }

        throw Problems.Unavailable("Too many simultaneous consent changes; retry shortly.", TimeSpan.FromSeconds(1));
    }

    private ConsentView View(ConsentKey? key, ConsentRecord? latest)
    {
        var current = options.Value.Current.Version;
        var inForce = InForce(latest);
        return new ConsentView(
            key?.IsUser == true ? UserSubject : AnonymousSubject,
            latest is null || latest.PolicyVersion != current,
            current,
            CategoriesView.Of(inForce),
            inForce.ConsentMode(),
            latest is null ? null : ConsentRecordView.Of(latest));
    }

    private static string SubjectOf(ConsentKey? key, Caller? caller) => key?.IsUser == true || caller is not null ? UserSubject : AnonymousSubject;

    private static string Quote(string name) => SafeName().IsMatch(name) ? $"'{name}'" : "(a name that is not shown)";

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeName();
}
