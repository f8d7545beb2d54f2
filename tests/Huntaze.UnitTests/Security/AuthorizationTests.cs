using Huntaze.Functions.Security;
using Huntaze.Functions.Security.Authorization;

namespace Huntaze.UnitTests.Security;

public sealed class AuthorizationTests
{
    public static TheoryData<string, string?, AccessDecision> Matrix => new()
    {
        { "none", null, AccessDecision.Unauthenticated },
        { "none", Roles.Admin, AccessDecision.Forbidden },
        { "anonymous", null, AccessDecision.Allow },
        { "anonymous", Roles.Support, AccessDecision.Allow },
        { "user", null, AccessDecision.Unauthenticated },
        { "user", Roles.User, AccessDecision.Allow },
        { "user", Roles.Support, AccessDecision.Allow },
        { "admin-dpo", null, AccessDecision.Unauthenticated },
        { "admin-dpo", Roles.User, AccessDecision.Forbidden },
        { "admin-dpo", Roles.Support, AccessDecision.Forbidden },
        { "admin-dpo", Roles.Admin, AccessDecision.Allow },
        { "admin-dpo", Roles.Dpo, AccessDecision.Allow },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Decide_PolicyAndCaller_ExpectedDecision(string policy, string? role, AccessDecision expected)
    {
        AccessPolicyAttribute? attribute = policy switch
        {
            "anonymous" => new AllowAnonymousAccessAttribute(),
            "user" => new RequireUserAttribute(),
            "admin-dpo" => new RequireRolesAttribute(Roles.Admin, Roles.Dpo),
            _ => null,
        };
        var caller = role is null ? null : new Caller("u1", new HashSet<string> { role }, "FR", CredentialKind.Bearer);

        Assert.Equal(expected, AuthorizationStep.Decide(attribute, caller));
    }
}
