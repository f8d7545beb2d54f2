namespace Huntaze.Functions.Onboarding;

/// <summary>
/// Art. 18 restriction: while set, a user's onboarding data is stored but not processed (no writes, no
/// events, migrations skip them). The privacy feature implements it; without it nobody is restricted.
/// </summary>
public interface IProcessingRestriction
{
    ValueTask<bool> IsRestrictedAsync(string userId, CancellationToken cancellationToken);
}
