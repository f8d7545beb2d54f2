using Huntaze.Functions.Security.Audit;

namespace Huntaze.Functions.Privacy.Subjects;

/// <summary>
/// Crypto-shredding for the audit log: every user id an entry names (actor, a <c>user:</c> target, the
/// record's subjects wherever they appear in target or details) is stored as a token encrypted under that
/// subject's key. Erasure destroys the key; the entry, its hash and the chain stay exactly as stored.
/// </summary>
public sealed class SubjectAuditProtector(SubjectReferences references, SubjectKeys keys) : IAuditProtector
{
    private const string UserTarget = "user:";

    public async ValueTask<AuditRecord> ProtectAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var subjects = new HashSet<string>(record.Subjects ?? [], StringComparer.Ordinal);
        if (IsPerson(record.Actor))
        {
            subjects.Add(record.Actor);
        }

        if (record.Target.StartsWith(UserTarget, StringComparison.Ordinal) && record.Target.Length > UserTarget.Length)
        {
            subjects.Add(record.Target[UserTarget.Length..]);
        }

        // Only people the entry really names get a key: listing a subject whose id does not occur creates nothing.
        subjects.RemoveWhere(s => string.IsNullOrWhiteSpace(s) || !IsPerson(s) || !Occurs(record, s));
        if (subjects.Count == 0)
        {
            return record with { Subjects = null };
        }

        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var subject in subjects)
        {
            var subjectRef = await references.OfAsync(subject, cancellationToken).ConfigureAwait(false);
            var key = await keys.GetOrCreateAsync(subjectRef, cancellationToken).ConfigureAwait(false);
            tokens[subject] = SubjectCipher.Seal(key.Key, key.KeyId, subject);
        }

        // Longest ids first, so an id inside a longer one ('u1' in 'u1.x' is a separate id anyway) is never half-replaced.
        var ordered = tokens.OrderByDescending(t => t.Key.Length).ToList();
        string Protect(string text) => ordered.Aggregate(text, (current, t) => SubjectCipher.Replace(current, t.Key, t.Value));

        return record with
        {
            Actor = tokens.TryGetValue(record.Actor, out var actor) ? actor : record.Actor,
            Target = record.Target.StartsWith(UserTarget, StringComparison.Ordinal) && tokens.TryGetValue(record.Target[UserTarget.Length..], out var target)
                ? UserTarget + target
                : Protect(record.Target),
            Details = record.Details?.ToDictionary(d => d.Key, d => d.Value is null ? null : Protect(d.Value), StringComparer.Ordinal),
            Subjects = null,
        };
    }

    public async ValueTask<AuditEntry> RevealAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var opened = new Dictionary<string, string>(StringComparer.Ordinal);
        async ValueTask<string> Reveal(string text)
        {
            foreach (var (token, keyId, payload) in SubjectCipher.Tokens(text).ToList())
            {
                if (!opened.TryGetValue(token, out var plain))
                {
                    var key = await keys.FindByIdAsync(keyId, cancellationToken).ConfigureAwait(false);
                    plain = key is not null && SubjectCipher.TryOpen(key, keyId, payload, out var id) ? id : SubjectCipher.Erased;
                    opened[token] = plain;
                }

                text = text.Replace(token, plain, StringComparison.Ordinal);
            }

            return text;
        }

        var details = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in entry.Details)
        {
            details[name] = value is null ? null : await Reveal(value).ConfigureAwait(false);
        }

        return entry with
        {
            Actor = await Reveal(entry.Actor).ConfigureAwait(false),
            Target = await Reveal(entry.Target).ConfigureAwait(false),
            Details = details,
        };
    }

    public async ValueTask<string?> ProtectSearchAsync(string field, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        var isTarget = field == "Target";
        if (isTarget && !value.StartsWith(UserTarget, StringComparison.Ordinal))
        {
            return value;
        }

        var id = isTarget ? value[UserTarget.Length..] : value;
        if (!IsPerson(id))
        {
            return value;
        }

        var subjectRef = await references.OfAsync(id, cancellationToken).ConfigureAwait(false);
        var key = await keys.FindAsync(subjectRef, cancellationToken).ConfigureAwait(false);
        return key is null ? null : (isTarget ? UserTarget : "") + SubjectCipher.Seal(key.Key, key.KeyId, id);
    }

    private static bool Occurs(AuditRecord record, string subject) =>
        record.Actor == subject || SubjectCipher.Mentions(record.Target, subject) || (record.Details?.Values.Any(v => SubjectCipher.Mentions(v, subject)) ?? false);

    private static bool IsPerson(string actor) =>
        actor is not (AuditRecord.Anonymous or AuditRecord.System) && !actor.StartsWith(AuditRecord.System + ":", StringComparison.Ordinal);
}
