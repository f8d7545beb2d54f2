using Huntaze.Functions.Security.Authentication;
using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Security.Csrf;

/// <summary>
/// A function that acts on an anonymous visitor identified by a first-party cookie (the consent id). Its
/// state-changing calls get the cookie CSRF rules even without sign-in: allowed <c>Origin</c>, a token bound to
/// the cookie, JSON bodies. Without the attribute an anonymous call is not CSRF-checked (webhooks authenticate
/// themselves), so the rule is opt-in per function.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class AnonymousCookieSessionAttribute : Attribute;

/// <summary>A cookie that identifies an anonymous visitor; a feature registers its own (<c>AddSingleton(new AnonymousSessionCookie(...))</c>).</summary>
public sealed record AnonymousSessionCookie(string Name);

/// <summary>What a CSRF token is bound to: the signed-in session, else the visitor's anonymous cookies, else nothing.</summary>
public sealed class CsrfBindings(IEnumerable<AnonymousSessionCookie> cookies)
{
    public const string Unbound = "anonymous";
    private readonly string[] _names = [.. cookies.Select(c => c.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The signed-in caller's session digest; for an anonymous caller, a digest of each registered cookie it sends.</summary>
    public string Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.GetCaller() is not null && AuthenticationOutcome.Get(http)?.SessionBinding is { } session)
        {
            return session;
        }

        var present = _names.Where(n => http.Request.Cookies.TryGetValue(n, out var v) && !string.IsNullOrEmpty(v)).ToList();
        return present.Count == 0
            ? Unbound
            : Unbound + "|" + string.Join("|", present.Select(n => n + "=" + AuthenticationStep.Bind(http.Request.Cookies[n]!)));
    }
}
