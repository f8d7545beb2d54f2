using Huntaze.Functions.Security;
using Microsoft.FeatureManagement.FeatureFilters;

namespace Huntaze.Functions.Flags.Evaluation;

/// <summary>
/// Our targeting-context source: the caller from the validated token, not IHttpContextAccessor (unreliable
/// in the isolated worker, azure-functions-dotnet-worker #2372). Groups are <c>market:{ISO}</c> and <c>role:{role}</c>.
/// </summary>
public static class CallerTargeting
{
    public static TargetingContext Create(Caller caller)
    {
        var groups = new List<string>(caller.Roles.Count + 1);
        foreach (var role in caller.Roles)
        {
            groups.Add(RoleGroup(role));
        }

        if (!string.IsNullOrEmpty(caller.Market))
        {
            groups.Add(MarketGroup(caller.Market));
        }

        return new TargetingContext { UserId = caller.UserId, Groups = groups };
    }

    public static string MarketGroup(string market) => "market:" + market.ToUpperInvariant();

    public static string RoleGroup(string role) => "role:" + role;
}
