using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Onboarding;

/// <summary>The version a conditional write expects, and how the client stated it.</summary>
public sealed record Precondition(IReadOnlyList<string> IfMatch, int? BodyVersion)
{
    public bool ViaHeader => IfMatch.Count > 0;

    /// <summary>From <c>If-Match</c> (strong comparison; <c>*</c> and weak tags never match) or the body's version; 428 if neither.</summary>
    public static Precondition From(HttpRequest request, int? bodyVersion)
    {
        var header = request.Headers.IfMatch.ToString();
        var tags = header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tags.Length == 0 && bodyVersion is null)
        {
            Events.OnboardingMetrics.Conflict(StatusCodes.Status428PreconditionRequired);
            throw new ProblemException(
                ProblemTypes.PreconditionRequired,
                "Send If-Match with the ETag you read, or the version you read in the body.");
        }

        return new Precondition(tags, tags.Length > 0 ? null : bodyVersion);
    }

    public bool Matches(string currentETag, int currentRevision) =>
        ViaHeader ? IfMatch.Contains(currentETag, StringComparer.Ordinal) : BodyVersion == currentRevision;

    /// <summary>The revision the client read, if it can be told (for idempotent re-sends).</summary>
    public int? ExpectedRevision(Func<int, string> etagOf, int currentRevision)
    {
        if (!ViaHeader)
        {
            return BodyVersion;
        }

        for (var revision = currentRevision; revision >= Math.Max(0, currentRevision - 1); revision--)
        {
            if (IfMatch.Contains(etagOf(revision), StringComparer.Ordinal))
            {
                return revision;
            }
        }

        return null;
    }
}
