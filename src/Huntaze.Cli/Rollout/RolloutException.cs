namespace Huntaze.Cli.Rollout;

/// <summary>The rollout driver cannot go on (an endpoint failed or answered something unexpected); the message says why.</summary>
public sealed class RolloutException(string message) : Exception(message);
