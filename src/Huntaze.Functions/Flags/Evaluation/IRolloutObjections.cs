namespace Huntaze.Functions.Flags.Evaluation;

/// <summary>
/// Users who must not be in a flag's percentages: those who objected to experimentation (Art. 21), and, for the
/// flags the privacy registry puts under a consent category, those without that consent. A targeted flag is on for
/// them only when they are listed by name, otherwise they get its default (off). The privacy feature implements
/// it; without it nobody objects.
/// </summary>
public interface IRolloutObjections
{
    ValueTask<bool> ObjectsAsync(string feature, string userId, CancellationToken cancellationToken);
}
