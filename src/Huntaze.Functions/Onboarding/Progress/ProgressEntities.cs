using System.Buffers;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Storage;
using Huntaze.Functions.Security.RateLimiting;

namespace Huntaze.Functions.Onboarding.Progress;

/// <summary>
/// A user's whole guide is one entity (ADR 0018): partition = user id, row key <c>guide:{userId}</c>
/// (<see cref="GuideKey"/>; unique across the table, ADR 0018 says why). The state's
/// fields are properties of their own; each step is one property <c>Step_{stepId}</c> holding the step as JSON
/// (its answers embedded as the JSON they are), and the write counters are one property <see cref="CountersProperty"/>.
/// A step's answers are at most 4 KB, so a step stays far under a property's 32 K characters; the catalog's step
/// count bounds the entity far under 1 MiB. Every write carries the batch's write ids
/// (<see cref="TableWriteBatch.WriteIdProperty"/>).
/// </summary>
internal static class ProgressEntities
{
    /// <summary>Every guide's row key starts with this; <see cref="GuideKeysBelow"/> bounds them (':' + 1 = ';').</summary>
    public const string GuidePrefix = "guide:";
    public const string GuideKeysBelow = "guide;";
    public const string StepPrefix = "Step_";
    public const string CountersProperty = "Counters";

    public static string StepProperty(string stepId) => StepPrefix + stepId;

    public static string GuideKey(string userId) => GuidePrefix + userId;

    public static bool IsGuide(string rowKey) => rowKey.StartsWith(GuidePrefix, StringComparison.Ordinal);

    /// <summary>A query filter for every user's guide (cross-partition, on the row key range).</summary>
    public static string AllGuides => $"RowKey ge '{GuidePrefix}' and RowKey lt '{GuideKeysBelow}'";

    public static TableEntity From(ProgressSnapshot guide)
    {
        ArgumentNullException.ThrowIfNull(guide);
        var state = guide.State.Value;
        var entity = new TableEntity(guide.UserId, GuideKey(guide.UserId))
        {
            ["Revision"] = state.Revision,
            ["DismissedAt"] = state.DismissedAt,
            ["SnoozedUntil"] = state.SnoozedUntil,
            ["CompletedAt"] = state.CompletedAt,
            ["UpdatedAt"] = state.UpdatedAt,
            ["StepRevisionFloor"] = state.StepRevisionFloor,
        };
        foreach (var (stepId, step) in guide.Steps)
        {
            entity[StepProperty(stepId)] = StepJson(step.Value);
        }

        if (guide.Counters.Count > 0)
        {
            entity[CountersProperty] = CountersJson(guide.Counters);
        }

        return entity;
    }

    /// <summary>The guide as stored (its ETag on every part), or an empty guide when <paramref name="entity"/> is null.</summary>
    public static ProgressSnapshot ToSnapshot(string userId, TableEntity? entity)
    {
        if (entity is null)
        {
            return ProgressSnapshot.Empty(userId);
        }

        var etag = entity.ETag;
        var writeIds = TableWriteBatch.WriteIdsOf(entity);
        var state = new OnboardingState(
            entity.GetInt32("Revision") ?? 0,
            entity.GetDateTimeOffset("DismissedAt"),
            entity.GetDateTimeOffset("SnoozedUntil"),
            entity.GetDateTimeOffset("CompletedAt"),
            entity.GetDateTimeOffset("UpdatedAt"),
            entity.GetInt32("StepRevisionFloor") ?? 0);
        var steps = new Dictionary<string, Stored<StepProgress>>(StringComparer.Ordinal);
        foreach (var (name, value) in entity)
        {
            if (name.StartsWith(StepPrefix, StringComparison.Ordinal) && value is string json)
            {
                var stepId = name[StepPrefix.Length..];
                steps[stepId] = new Stored<StepProgress>(ParseStep(stepId, json), etag) { WriteIds = writeIds };
            }
        }

        var counters = entity.GetString(CountersProperty) is { } countersJson
            ? ParseCounters(countersJson).ToDictionary(c => c.Key, c => new Stored<WindowCounter>(c.Value, etag) { WriteIds = writeIds }, StringComparer.Ordinal)
            : new Dictionary<string, Stored<WindowCounter>>(StringComparer.Ordinal);
        return new ProgressSnapshot(userId, new Stored<OnboardingState>(state, etag) { WriteIds = writeIds }, steps)
        {
            Counters = counters,
            ETag = etag,
            WriteIds = writeIds,
        };
    }

    private static string StepJson(StepProgress step)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (step.Data?.Length ?? 0));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", step.Status.ToString());
            json.WriteNumber("revision", step.Revision);
            json.WriteNumber("stepVersion", step.StepVersion);
            if (step.Data is { } data)
            {
                // The answers were validated as JSON on the way in: embedded as they are, not escaped into a string.
                json.WritePropertyName("data");
                json.WriteRawValue(data);
            }

            WriteTime(json, "startedAt", step.StartedAt);
            WriteTime(json, "completedAt", step.CompletedAt);
            WriteTime(json, "updatedAt", step.UpdatedAt);
            if (step.RequestKey is { } key)
            {
                json.WriteString("requestKey", key);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json.WriteString(name, time);
        }
    }

    private static StepProgress ParseStep(string stepId, string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        return new StepProgress(
            stepId,
            root.TryGetProperty("status", out var status) && Enum.TryParse<StepStatus>(status.GetString(), out var parsed) ? parsed : StepStatus.NeedsReview,
            root.TryGetProperty("revision", out var revision) ? revision.GetInt32() : 0,
            root.TryGetProperty("stepVersion", out var version) ? version.GetInt32() : 0,
            root.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null ? data.GetRawText() : null,
            Time(root, "startedAt"),
            Time(root, "completedAt"),
            Time(root, "updatedAt"),
            root.TryGetProperty("requestKey", out var key) ? key.GetString() : null);
    }

    private static DateTimeOffset? Time(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;

    private static string CountersJson(IReadOnlyDictionary<string, Stored<WindowCounter>> counters)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * counters.Count);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (policy, counter) in counters.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(policy);
                json.WriteNumber("window", counter.Value.Window);
                json.WriteNumber("count", counter.Value.Count);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static List<KeyValuePair<string, WindowCounter>> ParseCounters(string text)
    {
        using var document = JsonDocument.Parse(text);
        var counters = new List<KeyValuePair<string, WindowCounter>>();
        foreach (var policy in document.RootElement.EnumerateObject())
        {
            counters.Add(new(policy.Name, new WindowCounter(
                policy.Value.TryGetProperty("window", out var window) ? window.GetInt64() : -1,
                policy.Value.TryGetProperty("count", out var count) ? count.GetInt32() : 0)));
        }

        return counters;
    }
}
