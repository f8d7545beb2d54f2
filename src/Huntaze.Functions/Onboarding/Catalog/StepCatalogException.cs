namespace Huntaze.Functions.Onboarding.Catalog;

/// <summary>The catalog is invalid; <see cref="Errors"/> name each bad entry.</summary>
public sealed class StepCatalogException : Exception
{
    public StepCatalogException(IReadOnlyList<string> errors)
        : base("The onboarding step catalog is invalid: " + string.Join(" ", errors)) => Errors = errors;

    public StepCatalogException()
        : this([])
    {
    }

    public StepCatalogException(string message)
        : this([message])
    {
    }

    public StepCatalogException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public IReadOnlyList<string> Errors { get; }
}
