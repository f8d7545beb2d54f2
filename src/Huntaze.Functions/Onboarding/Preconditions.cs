using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Huntaze.Functions.Onboarding;

/// <summary>The version a conditional write expects, and how the client stated it.</summary>
public sealed record Precondition(IReadOnlyList<string> IfMatch, int? BodyVersion)
{
    public bool ViaHeader => IfMatch.Count > 0;

    /// <summary>From <c>If-Match</c> (strong comparison; <c>*</c> and weak tags never match) or the body's version; 428 if neither.</summary>
    public static Precondition From(HttpRequest request, int? bodyVersion)
    {
        var tags = EntityTags.Parse(request, HeaderNames.IfMatch);
        if (tags.Count == 0 && bodyVersion is null)
        {
            Events.OnboardingMetrics.Conflict(StatusCodes.Status428PreconditionRequired);
            throw Problems.PreconditionRequired(
                "Send If-Match with the ETag you read, or the version you read in the body.");
        }

        return new Precondition(tags, tags.Count > 0 ? null : bodyVersion);
    }

    /// <summary>The optional <c>Idempotency-Key</c> header: 1..64 of [A-Za-z0-9._-], else 400.</summary>
    public static string? IdempotencyKey(HttpRequest request)
    {
        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0)
        {
            return null;
        }

        return Correlation.IsValid(key)
            ? key
            : throw Problems.Validation("Idempotency-Key", "Idempotency-Key must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'.");
    }

    public bool Matches(string currentETag, int currentRevision) =>
        ViaHeader ? IfMatch.Contains(currentETag, StringComparer.Ordinal) : BodyVersion == currentRevision;
}
