using System.Text.RegularExpressions;

namespace Huntaze.Functions.Privacy.Requests;

/// <summary>
/// A request id is the subject reference followed by 32 hex digits: the partition is in the id, so a DPO
/// can open a request by id alone, and ids reveal nothing but a pseudonymous reference.
/// </summary>
public static partial class RequestIds
{
    public const int SubjectRefLength = 33;

    public static string New(string subjectRef, Guid unique) => subjectRef + unique.ToString("N");

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    public static string SubjectRefOf(string id) => id[..SubjectRefLength];

    public static string InstanceId(string requestId) => "dsr-" + requestId;

    [GeneratedRegex("^s[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
