using Huntaze.Functions.Platform.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Orchestrations;

public static class OrchestrationsServiceCollectionExtensions
{
    /// <summary>
    /// The task hub's identity (host.json, then the host's override settings) and its housekeeping: the
    /// admin list/terminate service and the purge timer's service.
    /// </summary>
    public static IServiceCollection AddOrchestrations(this IServiceCollection services)
    {
        services.AddOptions<TaskHubOptions>()
            .Configure(o => HostJson.Load(AppContext.BaseDirectory).GetSection(TaskHubOptions.HostJsonSection).Bind(o))
            .BindConfiguration(TaskHubOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TaskHubOptions>>(new ListValidator<TaskHubOptions>(o => o.Validate()));
        services.AddOptions<OrchestrationOptions>().BindConfiguration(OrchestrationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OrchestrationOptions>>(new ListValidator<OrchestrationOptions>(o => o.Validate()));
        services.AddSingleton<OrchestrationAdminService>();
        services.AddSingleton<OrchestrationPurge>();
        return services;
    }

    /// <summary>Options that list their own failures (each naming the setting and the value).</summary>
    private sealed class ListValidator<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = validate(options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
