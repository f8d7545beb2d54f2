namespace Huntaze.Functions.Security;

/// <summary>
/// Who may call an HTTP function. Every HTTP function declares exactly one of these next to its
/// trigger; a function without one is refused (default deny) and fails the policy test.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public abstract class AccessPolicyAttribute : Attribute
{
    /// <summary>Roles that may call; empty means any authenticated caller.</summary>
    public abstract IReadOnlyList<string> Roles { get; }

    public abstract bool AllowsAnonymous { get; }
}

/// <summary>Anyone, signed in or not.</summary>
public sealed class AllowAnonymousAccessAttribute : AccessPolicyAttribute
{
    public override IReadOnlyList<string> Roles => [];

    public override bool AllowsAnonymous => true;
}

/// <summary>Any authenticated caller acting on their own data.</summary>
public sealed class RequireUserAttribute : AccessPolicyAttribute
{
    public override IReadOnlyList<string> Roles => [];

    public override bool AllowsAnonymous => false;
}

/// <summary>Callers holding at least one of the roles.</summary>
public sealed class RequireRolesAttribute(params string[] roles) : AccessPolicyAttribute
{
    public override IReadOnlyList<string> Roles { get; } = roles;

    public override bool AllowsAnonymous => false;
}
