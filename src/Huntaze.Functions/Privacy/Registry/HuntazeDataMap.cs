using Huntaze.Functions.Backups;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Flags.Propagation;
using Huntaze.Functions.Flags.Stores;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Security.Audit;
using Huntaze.Functions.Security.Audit.Denials;
using Huntaze.Functions.Security.Csrf;
using Huntaze.Functions.Security.RateLimiting;
using static Huntaze.Functions.Privacy.Registry.FieldClass;

namespace Huntaze.Functions.Privacy.Registry;

/// <summary>
/// Every table, blob container and task hub the app writes. The storage layer refuses any other
/// (<see cref="DataMap"/>); a test fails when a stored property is not classified here. A new store
/// (consent, backups, the point-in-time journal) is declared here first, then written.
/// </summary>
public static class HuntazeDataMap
{
    public const string OnboardingProgress = "OnboardingProgress";
    public const string TaskHub = "HuntazeOnboarding";
    public const string AppConfigurationFlags = "App Configuration feature flags";
    public const string Telemetry = "Azure Monitor (Application Insights)";

    public static IReadOnlyList<StoreDeclaration> Stores { get; } =
    [
        new(
            OnboardingProgress, StoreKind.Table, "Onboarding",
            "Each creator's onboarding guide: one entity per user holding the guide's state, every step and the per-user write-limit counters counted with the guide's writes (ADR 0007, ADR 0018).",
            [ProcessingActivities.Onboarding],
            SubjectLocator.PartitionKey, "Partition key = user id (one partition per user).",
            [
                new("PartitionKey", Identifier, "The user id."),
                new("RowKey", Identifier, "'guide:{userId}' (the user's guide) or '~j{ticks}{writeId}' (a point-in-time journal row)."),
                new("Revision", Technical, "Change counter of the guide's state (ETag of the API)."),
                new(ProgressEntities.StepPrefix + "{stepId}", Personal, "One step as JSON: status, revision, catalog version, the step's answers (can hold names and postal addresses: Impressum, mentions légales), started, completed and updated times, the client's Idempotency-Key of the last write."),
                new("CompletedAt", Linked, "When the whole guide was completed."),
                new("UpdatedAt", Linked, "Last change of the guide's state."),
                new("DismissedAt", Linked, "When the guide was dismissed."),
                new("SnoozedUntil", Linked, "Nudges hidden until."),
                new("WriteId", Technical, "Random id recognising a write's own commit."),
                new(ProgressEntities.CountersProperty, Linked, "Write counters as JSON, per policy: the rate-limit window counted in and the user's writes counted in it."),
                new("StepRevisionFloor", Technical, "Lowest revision a step may restart from after a reset (keeps entity tags unique)."),
                new(JournalEntity.TableProperty, Technical, "Journal rows ('~j{ticks}{writeId}', issue 12): the table the change was made in."),
                new(JournalEntity.TimeProperty, Linked, "Journal rows: when the change was made."),
                new(JournalEntity.ChangesProperty, Personal, "Journal rows: the entities written (new values, step answers included) or deleted, kept 7 days for point-in-time restore."),
                new(JournalEntity.ChangesProperty + "{n}", Personal, "Journal rows: further parts of long changes (JChanges1, JChanges2 …)."),
            ],
            new("While the account exists; a completed guide 2 years after its completion.", TimeSpan.FromDays(730), "Privacy:Retention:CompletedProgressDays"),
            new(ErasureAction.Delete, "The user's partition is deleted, its point-in-time journal rows with it."),
            new(true, "Primary data; journaled in the step write's own transaction (point-in-time restore)."),
            NameSetting: "Onboarding:TableName"),

        new(
            TableAuditLog.TableName, StoreKind.Table, "Security",
            "The append-only, hash-chained audit log (admin actions, refusals, privacy requests).",
            [ProcessingActivities.Security, ProcessingActivities.Requests],
            SubjectLocator.EncryptedFields,
            "User ids in Actor, Target and Details are encrypted under the subject's key (table subjectkeys); searching by actor encrypts the search term the same way.",
            [
                new("PartitionKey", Technical, "UTC day (yyyyMMdd)."),
                new("RowKey", Technical, "Sequence number, or '~head'."),
                new("Sequence", Technical, "Position in the day's chain."),
                new("Time", Linked, "When it happened."),
                new("Actor", Identifier, "Who acted: a user id, encrypted under that subject's key (or 'anonymous', 'system')."),
                new("Action", Linked, "What was done."),
                new("Target", Identifier, "What it was done to; user ids encrypted under the subject's key."),
                new("Outcome", Linked, "Result."),
                new("CorrelationId", Technical, "Request correlation id."),
                new("Details", Personal, "Free-form details; every user id in them is encrypted under that subject's key."),
                new("DetailsBlob", Technical, "Instead of Details when they exceed 30,000 characters: the name of their blob in audit-details."),
                new("WriteId", Technical, "Recognises the append's own commit behind a lost response."),
                new("PreviousHash", Technical, "Hash chain link."),
                new("Hash", Technical, "SHA-256 over the entry as stored (ciphertexts included)."),
            ],
            new("3 years (accountability, Art. 5(2)); whole days are deleted after that.", TimeSpan.FromDays(1095), "Privacy:Retention:AuditDays"),
            new(ErasureAction.CryptoShred,
                "The subject's key is destroyed: their fields stay in place as unreadable ciphertext, so every hash and the chain still verify.",
                "Art. 5(2) and 30: the log proves what was done; only its link to the person is removed."),
            new(true, "Evidence; restored entries stay unreadable for erased subjects because their keys are not restored (ledger re-applied). Not journaled: append-only, hash-chained and timed, it is its own journal; restored additively (ADR 0016).")),

        new(
            AuditDetailsBlobs.Container, StoreKind.BlobContainer, "Security",
            "Details of audit entries too long for a table row (e.g. a flag whose targeting lists name a thousand users), one blob per entry's details.",
            [ProcessingActivities.Security, ProcessingActivities.Requests],
            SubjectLocator.EncryptedFields,
            "The details are spilled after protection: user ids in them are encrypted under the subject's key (table subjectkeys), exactly as in the audit table's Details.",
            [new("{sha256}.json", Personal, "The entry's details (JSON), named by their SHA-256; every user id in them encrypted under that subject's key.")],
            new("As the audit entries referring to them: deleted with their audit day.", TimeSpan.FromDays(1095), "Privacy:Retention:AuditDays"),
            new(ErasureAction.CryptoShred,
                "As the audit table: the subject's key is destroyed, the blob is unchanged, so the entry's hash still verifies.",
                "Art. 5(2) and 30: part of the audit evidence."),
            new(true, "Part of the audit log: verification fails at an entry whose details blob is missing.")),

        new(
            DenialStore.TableName, StoreKind.Table, "Security",
            "The denial stream: refused requests (401/403) counted per client, UTC minute and instance, apart from the audit chain.",
            [ProcessingActivities.Security],
            SubjectLocator.UserIdProperty,
            "Client = 'user:{user id}' for a signed-in caller (found by a filtered scan on Client); 'ip:{address}' for anonymous callers, which no user id finds (retention removes them); '*' counts the overflow.",
            [
                new("PartitionKey", Technical, "UTC minute (yyyyMMddHHmm)."),
                new("RowKey", Identifier, "SHA-256 of the client (unkeyed: recomputable from a user id or an address) and the instance id."),
                new("Minute", Linked, "The minute counted."),
                new("Client", Identifier, "'user:{user id}', 'ip:{client address}' or '*'."),
                new("Total", Linked, "Refusals in the minute."),
                new("Count_Unauthenticated", Linked, "Refusals without a valid token (401)."),
                new("Count_Forbidden", Linked, "Refusals for a missing role (403)."),
                new("Count_Csrf", Linked, "Refusals by the CSRF check (403)."),
                new("Functions", Linked, "Up to 8 functions refused."),
                new("FirstAt", Linked, "First refusal in the minute."),
                new("LastAt", Linked, "Last refusal in the minute."),
                new("FirstCorrelationId", Technical, "Correlation id of the first refusal."),
                new("LastCorrelationId", Technical, "Correlation id of the last refusal."),
                new("LastReason", Linked, "Why the last one was refused (e.g. token expired), at most 200 characters."),
                new("Instance", Technical, "Random id of the writing instance."),
            ],
            new("90 days (security monitoring); whole minutes are deleted after that.", TimeSpan.FromDays(90), "Privacy:Retention:DenialDays"),
            new(ErasureAction.Delete, "The subject's rows (Client 'user:{id}') are deleted; address rows are not linked to a user id and expire with retention."),
            new(false, "Short-lived security telemetry; a restore does not bring it back.")),

        new(
            PrivacyStores.SubjectKeys, StoreKind.Table, "Privacy",
            "One random 256-bit key per subject, encrypting their user id wherever the audit log names them; a second row finds the key by its random id (what tokens name).",
            [ProcessingActivities.Security, ProcessingActivities.Requests],
            SubjectLocator.SubjectReference, "Row (subject reference, 'key') holds the key and its id; row (key id, 'id') the key again.",
            [
                new("PartitionKey", Identifier, "Subject reference, or the key's random id."),
                new("RowKey", Technical, "'key' or 'id'."),
                new("KeyId", Linked, "The key's random id (tokens name it; it is not derived from the user id)."),
                new("Key", Technical, "The subject's data key (base64)."),
                new("CreatedAt", Linked, "When the key was created."),
            ],
            new("As long as the audit entries it protects."),
            new(ErasureAction.Delete, "Both rows deleted: this is the crypto-shredding of the subject's audit fields."),
            new(true, "Without it non-erased subjects' audit entries would become unreadable after a restore; the erasure ledger deletes erased subjects' keys again. Must not be journaled: a journal row would be a second copy of the key that erasure shreds (ADR 0016).")),

        new(
            TableFlagStore.TableName, StoreKind.Table, "Flags",
            "Feature flags (Microsoft v2 documents) when App Configuration is not configured.",
            [ProcessingActivities.Experimentation],
            SubjectLocator.InsideDocument, "User ids inside Document: Audience.Users and Audience.Exclusion.Users.",
            [
                new("PartitionKey", Technical, "'flag'."),
                new("RowKey", Technical, "Flag name."),
                new("Document", Personal, "The flag; its targeting lists name users."),
                new("Document{n}", Personal, "Further parts of a long flag document (Document1, Document2 …)."),
                new("WriteId", Technical, "Recognises a write's own commit."),
                new("Tags", Technical, "Rollout stage and its start."),
            ],
            new("While the flag targets the user."),
            new(ErasureAction.Delete, "The user id is removed from every targeting list (conditional write on the flag's ETag), then the snapshot is republished."),
            new(true, "Flags are configuration that a restore must bring back: backed up through the flag store in use (backups/{date}/flags.ndjson.gz, whichever store it is) rather than as a table, and journaled in backupjournal.")),

        new(
            AppConfigurationFlags, StoreKind.External, "Flags",
            "Feature flags in Azure App Configuration (when Flags:AppConfiguration is configured), same documents as the table.",
            [ProcessingActivities.Experimentation],
            SubjectLocator.InsideDocument, "User ids inside each .appconfig.featureflag/{id} value's targeting lists.",
            [
                new("value", Personal, "The flag document; its targeting lists name users."),
                new("tags", Technical, "Rollout stage."),
            ],
            new("While the flag targets the user."),
            new(ErasureAction.Delete, "As for the flags table, through the same flag-store interface (If-Match on the setting's ETag)."),
            new(true, "Through the flag store: backups/{date}/flags.ndjson.gz, and every admin write journaled in backupjournal (App Configuration's own 7-day revision history is not restorable by the app).")),

        new(
            SnapshotBlobStore.Container, StoreKind.BlobContainer, "Flags",
            "The propagated flag set every instance polls, and the sync's health.",
            [ProcessingActivities.Experimentation],
            SubjectLocator.InsideDocument, "User ids inside snapshot.json (a copy of the flag documents).",
            [
                new(SnapshotBlobStore.SnapshotBlob, Personal, "Copy of every flag; targeting lists name users."),
                new(FlagSyncStatusStore.StatusBlob, Technical, "Sync health (written when it changes)."),
            ],
            new("Replaced at every flag change."),
            new(ErasureAction.Delete, "Republished from the flag store once the user is removed there."),
            new(false, "Derived from the flag store.")),

        new(
            FlagSyncStatusStore.HeartbeatTable, StoreKind.Table, "Flags",
            "The flag sync's heartbeat (one row, rewritten every run).",
            [ProcessingActivities.Experimentation],
            SubjectLocator.None, "Holds no data about people.",
            [
                new("PartitionKey", Technical, "'sync'."),
                new("RowKey", Technical, "'sync'."),
                new("CheckedAt", Technical, "When the sync last ran."),
                new("LastSuccessAt", Technical, "When it last succeeded."),
                new("WriteId", Technical, "Recognises a write's own commit."),
            ],
            new("Rewritten every run."),
            new(ErasureAction.Keep, "No personal data."),
            new(false, "Runtime state.")),

        new(
            TableRateLimitStore.TablePrefix + "{yyyyMMdd}", StoreKind.TableFamily, "Security",
            "Rate-limit counters, one table per UTC day.",
            [ProcessingActivities.Security],
            SubjectLocator.HashedPartitionKey, "Partition key = '{policy}_' + SHA-256('user:' + user id), first 32 hex characters.",
            [
                new("PartitionKey", Identifier, "Policy and hashed subject (user id or client IP)."),
                new("RowKey", Technical, "Window index."),
                new("Count", Linked, "Requests counted in the window."),
            ],
            new("Dropped whole a day after the longest window ends (RateLimitCleanup timer).", TimeSpan.FromDays(2)),
            new(ErasureAction.Delete, "The subject's counters (partition computed from the user id) are deleted in every day table."),
            new(false, "Ephemeral; a restore must not bring old counts back.")),

        new(
            CsrfKeyProvider.Container, StoreKind.BlobContainer, "Security",
            "The app's own secrets when none is configured: the CSRF signing key and the pseudonymisation key.",
            [ProcessingActivities.Security],
            SubjectLocator.None, "Holds no data about people.",
            [
                new(CsrfKeyProvider.BlobName, Technical, "CSRF HMAC key."),
                new(PrivacyStores.PseudonymKeyBlob, Technical, "Key of subject references and the erasure ledger."),
            ],
            new("Until rotated."),
            new(ErasureAction.Keep, "No personal data."),
            new(false, "Blob versioning and soft delete (Bicep) protect it; the pseudonymisation key must outlive every backup for the ledger to match.")),

        new(
            PrivacyStores.Requests, StoreKind.Table, "Privacy",
            "Data-subject requests (Art. 15–22): type, status, due date, extension, DPO notes, results.",
            [ProcessingActivities.Requests],
            SubjectLocator.SubjectReference, "Partition key = subject reference; the row holds the user id until the subject is erased.",
            [
                new("PartitionKey", Identifier, "Subject reference."),
                new("RowKey", Technical, "Request id, or 'open-{type}' guarding against a duplicate open request."),
                new("RequestId", Technical, "The open request a guard row points to."),
                new("UserId", Identifier, "The subject's user id (removed when the subject is erased)."),
                new("Type", Linked, "access, portability, erasure, rectification, restriction or objection."),
                new("Status", Linked, "open, running, awaiting_dpo, completed, refused or failed."),
                new("Channel", Technical, "'user' or 'dpo'."),
                new("OpenedBy", Identifier, "Who opened it (the subject or a DPO)."),
                new("Reason", Personal, "The DPO's reason for acting on the subject's behalf."),
                new("OpenedAt", Linked, "When it was received."),
                new("DueAt", Linked, "One month after receipt, or as extended."),
                new("ExtensionReason", Personal, "Why the DPO extended the deadline (Art. 12(3))."),
                new("ExtendedBy", Identifier, "DPO who extended it."),
                new("Claim", Personal, "What the subject asks: the rectification claim, the objection purpose, the restriction action."),
                new("Resolution", Personal, "The DPO's note when resolving."),
                new("ResolvedBy", Identifier, "DPO who resolved it."),
                new("ClosedAt", Linked, "When it was closed."),
                new("Result", Linked, "Counts per store, verification outcome, refusal reason (JSON)."),
                new("Phase", Technical, "Progress of the running workflow."),
                new("ExportExpiresAt", Linked, "When the export archive is deleted."),
                new("WriteId", Technical, "Recognises a write's own commit."),
            ],
            new("Open requests until closed; closed requests 3 years (limitation period), then deleted.", TimeSpan.FromDays(1095), "Privacy:Retention:ClosedRequestDays"),
            new(ErasureAction.Pseudonymise,
                "The user id, claims and notes are removed; the request's type, dates and outcome stay under the subject reference.",
                "Art. 5(2), 12 and 17: the controller must be able to show the request was handled and when."),
            new(true, "Evidence of compliance. Not journaled: restored additively, a restore never rolls a request back (ADR 0016).")),

        new(
            PrivacyStores.Controls, StoreKind.Table, "Privacy",
            "Per-subject processing controls: restriction (Art. 18), objections per purpose (Art. 21), legal holds.",
            [ProcessingActivities.Requests],
            SubjectLocator.SubjectReference, "Partition key = subject reference; rows 'restriction', 'objection-{purpose}', 'hold'.",
            [
                new("PartitionKey", Identifier, "Subject reference."),
                new("RowKey", Technical, "Which control."),
                new("UserId", Identifier, "The subject's user id."),
                new("Since", Linked, "When it was set."),
                new("SetBy", Identifier, "Who set it (the subject or a DPO)."),
                new("Reason", Personal, "Why (a hold's legal basis, the subject's grounds)."),
            ],
            new("While the control is in force; deleted when lifted."),
            new(ErasureAction.Delete, "Deleted (an erasure under legal hold is refused, so a hold outlives only refused erasures)."),
            new(true, "A restore must not lift a restriction or an objection. Not journaled: restored additively, never rolled back (ADR 0016).")),

        new(
            PrivacyStores.ControlsContainer, StoreKind.BlobContainer, "Privacy",
            "controls.json: the subject references with a restriction or objection in force, polled by every instance so no request pays a storage round trip.",
            [ProcessingActivities.Requests],
            SubjectLocator.InsideDocument, "Subject references inside controls.json.",
            [new(PrivacyStores.ControlsBlob, Identifier, "Subject references per control.")],
            new("Rewritten at every change."),
            new(ErasureAction.Delete, "The subject reference is removed."),
            new(false, "Derived from the controls table.")),

        new(
            PrivacyStores.Exports, StoreKind.BlobContainer, "Privacy",
            "Access and portability archives: {requestId}/export.zip (JSON per store and a manifest with counts and SHA-256).",
            [ProcessingActivities.Requests],
            SubjectLocator.ByRequest, "Blobs under the subject's request ids (request store).",
            [
                new("{requestId}/export.zip", Personal, "Everything the subject's export found."),
                new("{requestId}/parts/{handler}.json", Personal, "One store's share while the export runs; deleted when the archive is written."),
            ],
            new("7 days after it was written, then deleted (the download answers 410).", TimeSpan.FromDays(7), "Privacy:ExportLifetimeDays"),
            new(ErasureAction.Delete, "The subject's archives are deleted."),
            new(false, "Short-lived copies; never restored.")),

        new(
            PrivacyStores.Ledger, StoreKind.Table, "Privacy",
            "The erasure ledger: a keyed hash of each erased user id and the time, re-applied after every restore.",
            [ProcessingActivities.Requests],
            SubjectLocator.SubjectReference, "Row key starts with the subject reference.",
            [
                new("PartitionKey", Technical, "'ledger'."),
                new("RowKey", Identifier, "Subject reference and request id."),
                new("SubjectRef", Identifier, "HMAC-SHA256 of the user id under the pseudonymisation key."),
                new("ErasedAt", Linked, "When the erasure completed."),
                new("RequestId", Technical, "The erasure request."),
            ],
            new("13 months after the erasure: longer than the oldest backup tier (12 months).", TimeSpan.FromDays(400), "Privacy:Retention:LedgerDays"),
            new(ErasureAction.Keep, "Kept as a keyed hash: it is what keeps the erasure effective after a restore.", "Art. 17 and 5(2)."),
            new(true, "A restore must not forget erasures. Not journaled: restored additively and re-applied by every restore (ADR 0016).")),

        new(
            ConsentStore.UserTable, StoreKind.Table, "Privacy",
            "Signed-in users' consent records (append-only proof, Art. 7(1)) and the anonymous consent ids linked to them at sign-in.",
            [ProcessingActivities.Consent],
            SubjectLocator.SubjectReference, "Partition key = subject reference; one row per record ('r' + inverted sequence, newest first) and one 'link-{consentId}' row per linked anonymous consent id.",
            [
                new("PartitionKey", Identifier, "Subject reference."),
                new("RowKey", Identifier, "'r' + inverted sequence, or 'link-' + a linked anonymous consent id."),
                new("Seq", Technical, "The record's sequence in the subject's history."),
                new("Analytics", Linked, "Chosen: analytics."),
                new("Marketing", Linked, "Chosen: marketing."),
                new("Personalization", Linked, "Chosen: personalization."),
                new("PolicyVersion", Linked, "The consent policy version the person was shown."),
                new("Source", Linked, "Where the choice was made: banner, settings or api."),
                new("RecordedAt", Linked, "When the choice was made."),
                new("UserAgentHash", Linked, "SHA-256 of the browser's User-Agent header."),
                new("UserId", Identifier, "The user id (removed on erasure)."),
                new("LinkedFrom", Identifier, "The anonymous consent id a record was copied from at sign-in (removed on erasure)."),
                new("LinkedAt", Linked, "When an anonymous consent id was linked (link rows)."),
                new("ErasedAt", Technical, "When the subject was erased (the record is pseudonymised proof from then on)."),
                new("WriteId", Technical, "Random id recognising a write's own commit."),
            ],
            new("While the account exists; after erasure the pseudonymised records 3 years (limitation period), then deleted.", TimeSpan.FromDays(1095), "Privacy:Retention:ErasedConsentDays"),
            new(ErasureAction.Pseudonymise,
                "Link rows and the linked anonymous partitions are deleted; records lose the user id and linked consent id and keep the choice, policy version, time, source and user-agent hash under the subject reference.",
                "Art. 7(1) (the controller must be able to demonstrate that consent was given, and when it was withdrawn) and Art. 17(3)(e) (establishment, exercise or defence of legal claims); kept 3 years after erasure."),
            new(true, "Proof of consent must survive a loss of the table. Not journaled: restored additively, a choice is never rolled back (ADR 0016).")),

        new(
            ConsentStore.AnonymousTable, StoreKind.Table, "Privacy",
            "Consent records of visitors before sign-in, by anonymous consent id (the cookie " + ConsentCookie.Name + ").",
            [ProcessingActivities.Consent],
            SubjectLocator.LinkedIds, "Partition key = anonymous consent id; a signed-in user's are the ids of their link rows in table consent.",
            [
                new("PartitionKey", Identifier, "Anonymous consent id (the cookie's value)."),
                new("RowKey", Technical, "'r' + inverted sequence (newest first)."),
                new("Seq", Technical, "The record's sequence."),
                new("Analytics", Linked, "Chosen: analytics."),
                new("Marketing", Linked, "Chosen: marketing."),
                new("Personalization", Linked, "Chosen: personalization."),
                new("PolicyVersion", Linked, "The consent policy version the visitor was shown."),
                new("Source", Linked, "Where the choice was made."),
                new("RecordedAt", Linked, "When the choice was made."),
                new("UserAgentHash", Linked, "SHA-256 of the browser's User-Agent header."),
                new("WriteId", Technical, "Random id recognising a write's own commit."),
            ],
            new("13 months after the visitor's last choice (the cookie lives 6), then the partition is deleted.", TimeSpan.FromDays(395), "Privacy:Retention:AnonymousConsentDays"),
            new(ErasureAction.Delete, "The partitions linked to the user are deleted (their choices are kept, pseudonymised, in table consent)."),
            new(true, "Proof of consent for the period the choice governed. Not journaled: restored additively (ADR 0016).")),

        new(
            BackupStores.Container, StoreKind.BlobContainer, "Backups",
            "Daily backups: every backed-up table and the flag documents as gzip NDJSON, and a manifest (counts, SHA-256, verification).",
            [ProcessingActivities.Onboarding, ProcessingActivities.Security, ProcessingActivities.Requests, ProcessingActivities.Experimentation, ProcessingActivities.Consent],
            SubjectLocator.None, "Copies of the tables above, found the same way inside each file; never searched or changed in place.",
            [
                new("{date}/{table}.ndjson.gz", Personal, "One table's entities as of the backup (step answers, encrypted audit fields, consent records, flag targeting lists)."),
                new("{date}/" + BackupStores.ManifestBlob, Technical, "Counts, hashes, times, app version, verification state."),
            ],
            new("Daily backups 30 days, Sunday backups 12 weeks, the first of each month 12 months (Backups:*; Blob lifecycle rules mirror it).", TimeSpan.FromDays(366), "Backups:MonthlyMonths"),
            new(ErasureAction.Keep,
                "Not rewritten: a backup expires with its tier (12 months at most), and every restore re-applies the erasure ledger before it reports success, so an erased subject never comes back. Backups stay deletable (no immutability policy) if a supervisory authority requires it.",
                "Art. 17 and 32(1)(c): the ability to restore; the ledger (13 months) outlives the oldest tier."),
            new(false, "The backups themselves.")),

        new(
            BackupStores.Journal, StoreKind.Table, "Backups",
            "The point-in-time journal of the flag stores (whose writes cannot share a transaction with a journal row): one row per admin write.",
            [ProcessingActivities.Experimentation],
            SubjectLocator.InsideDocument, "User ids inside the journaled flag documents (targeting lists).",
            [
                new("PartitionKey", Technical, "The journaled table ('flags')."),
                new("RowKey", Technical, "Time (ticks) and write id."),
                new(JournalEntity.TableProperty, Technical, "The journaled table."),
                new(JournalEntity.TimeProperty, Linked, "When the change was made."),
                new(JournalEntity.ChangesProperty, Personal, "The flag document written (targeting lists name users)."),
                new(JournalEntity.ChangesProperty + "{n}", Personal, "Further parts of a long flag document's change (JChanges1, JChanges2 …)."),
                new("WriteId", Technical, "The write's id."),
            ],
            new("7 days (Backups:JournalDays), pruned by the daily backup run.", TimeSpan.FromDays(7), "Backups:JournalDays"),
            new(ErasureAction.Delete,
                "The user id is removed from every journaled flag document that names it (the row rewritten, as the flag itself is), so a point-in-time restore replays the flags without them; a row that cannot be rewritten so is deleted. A point-in-time restore also re-applies the erasure ledger."),
            new(false, "Read by point-in-time restores; never restored itself.")),

        new(
            BackupStores.State, StoreKind.Table, "Backups",
            "The restore lock, the record of live restores (a point-in-time restore cannot replay across one), a running restore's progress and restore-drill results.",
            [ProcessingActivities.Security],
            SubjectLocator.None, "No creator data: restore ids, the operator's id, times and counts.",
            [
                new("PartitionKey", Technical, "'lock', 'live', 'progress' or 'drill'."),
                new("RowKey", Technical, "'restore', or the time and restore id."),
                new("RestoreId", Technical, "The restore orchestration."),
                new("Actor", Identifier, "The operator who started it (an admin's user id)."),
                new("At", Linked, "When it started or finished."),
                new("Backup", Technical, "The backup date restored."),
                new("Outcome", Technical, "passed, failed or completed."),
                new("DurationSeconds", Technical, "How long the drill took."),
                new("Rows", Technical, "Rows restored (so far, for a running restore)."),
                new("Detail", Technical, "What failed."),
            ],
            new("Kept while backups can be restored from (400 days): a few rows per restore and drill; the lock only while a restore runs."),
            new(ErasureAction.Keep, "Holds an operator id only; operators are not erased through the creator flow.", "Art. 5(2) and 32(1)(d): the record of who restored what, and of the drills that test restores."),
            new(false, "Operational state.")),

        new(
            TaskHub, StoreKind.TaskHub, "Platform",
            "Durable Functions state ({hub}Instances, {hub}History, queues, {hub}-leases, {hub}-largemessages).",
            [ProcessingActivities.Requests, ProcessingActivities.Onboarding],
            SubjectLocator.None, "No creator data: data-subject requests carry request ids only; migrations carry the admin's id.",
            [
                new("Input", Identifier, "Orchestration inputs (request ids; a migration's admin id)."),
                new("Output", Linked, "Orchestration outputs (counts)."),
                new("CustomStatus", Technical, "Progress."),
            ],
            new("Completed, failed and terminated instances 30 days after they were created (the platform's daily Durable purge; privacy retention applies the same rule).", TimeSpan.FromDays(30), "Orchestrations:RetentionDays"),
            new(ErasureAction.Keep, "Nothing to erase by design; the verification scan checks the task hub too."),
            new(false, "Runtime state; a restore never brings orchestrations back."),
            NameSetting: "AzureFunctionsJobHost:extensions:durableTask:hubName"),

        new(
            Telemetry, StoreKind.External, "Observability",
            "Logs, traces and onboarding events (kind, step, time, pseudonymous user id).",
            [ProcessingActivities.Analytics, ProcessingActivities.Security],
            SubjectLocator.None, "Query by user_Id / UserId in Log Analytics.",
            [new("UserId", Identifier, "Pseudonymous user id on events and logs.")],
            new("365 days (workspace retention).", TimeSpan.FromDays(365)),
            new(ErasureAction.Keep,
                "Not erased by the app: the DPO purges a subject with the Azure Monitor purge API (docs/privacy/dsr-runbook.md); an objection to analytics stops new events at once.",
                "Pseudonymous; purge on request."),
            new(false, "Not ours to back up.")),
    ];
}

/// <summary>The privacy feature's own stores.</summary>
public static class PrivacyStores
{
    public const string Requests = "privacyrequests";
    public const string Controls = "privacycontrols";
    public const string SubjectKeys = "subjectkeys";
    public const string Ledger = "erasureledger";
    public const string Exports = "exports";
    public const string ControlsContainer = "privacy";
    public const string ControlsBlob = "controls.json";
    public const string PseudonymKeyBlob = "privacy-pseudonym-key";
}
