using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Huntaze.Functions.Security;

/// <summary>
/// Whether the app runs in the Development environment, which alone unlocks the development signing
/// key. Read from <c>AZURE_FUNCTIONS_ENVIRONMENT</c> (the Functions host's variable), falling back to
/// the generic host's environment (<c>DOTNET_ENVIRONMENT</c> / <c>ASPNETCORE_ENVIRONMENT</c>); anything
/// unset counts as Production, so a missing variable never opens the development door.
/// </summary>
public sealed class SecurityEnvironment(string name)
{
    public string Name { get; } = name;

    public bool IsDevelopment => string.Equals(Name, Environments.Development, StringComparison.OrdinalIgnoreCase);

    public static SecurityEnvironment Resolve(IConfiguration configuration, IHostEnvironment? host)
    {
        var name = configuration["AZURE_FUNCTIONS_ENVIRONMENT"];
        if (string.IsNullOrWhiteSpace(name))
        {
            name = host?.EnvironmentName;
        }

        return new SecurityEnvironment(string.IsNullOrWhiteSpace(name) ? Environments.Production : name);
    }
}
