using Microsoft.AspNetCore.Http;

namespace Huntaze.Functions.Security;

/// <summary>The roles the API knows (token claim <c>roles</c>).</summary>
public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";
    public const string Dpo = "dpo";
    public const string Support = "support";

    /// <summary>
    /// Azure Monitor action groups delivering alerts to the relay (secure webhook): the app role value Microsoft
    /// documents for it, assigned to the "Azure Monitor Action Group" service principal (docs/slo.md).
    /// </summary>
    public const string AlertSender = "ActionGroupsSecureWebhook";

    public static readonly IReadOnlyList<string> All = [User, Admin, Dpo, Support, AlertSender];
}

/// <summary>How the caller proved who they are.</summary>
public enum CredentialKind
{
    Bearer,
    Cookie,
}

/// <summary>
/// The authenticated caller, from a validated token: <c>sub</c>, <c>roles</c>, <c>market</c>. User
/// endpoints act on <see cref="UserId"/> only, never on an id from the route or body.
/// </summary>
public sealed record Caller(string UserId, IReadOnlySet<string> Roles, string? Market, CredentialKind Credential)
{
    public bool IsInRole(string role) => Roles.Contains(role);
}

public static class CallerHttpContextExtensions
{
    private static readonly object Key = new();

    public static void SetCaller(this HttpContext http, Caller caller) => http.Items[Key] = caller;

    public static Caller? GetCaller(this HttpContext http) =>
        http.Items.TryGetValue(Key, out var value) ? value as Caller : null;

    /// <summary>The caller of a function that declares an authenticated access policy.</summary>
    public static Caller RequireCaller(this HttpContext http) =>
        http.GetCaller() ?? throw new InvalidOperationException("No authenticated caller: the function must declare an authenticated access policy.");

    public static Caller RequireCaller(this HttpRequest request) => request.HttpContext.RequireCaller();
}
