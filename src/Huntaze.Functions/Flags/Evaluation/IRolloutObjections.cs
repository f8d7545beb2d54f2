namespace Huntaze.Functions.Flags.Evaluation;

/// <summary>
/// Users who objected to experimentation (Art. 21). They are taken out of percentage rollouts: a targeted
/// flag is on for them only when they are listed by name, otherwise they get its default (off). The
/// privacy feature implements it from memory; without it nobody objects.
/// </summary>
public interface IRolloutObjections
{
    ValueTask<bool> ObjectsAsync(string userId, CancellationToken cancellationToken);
}
