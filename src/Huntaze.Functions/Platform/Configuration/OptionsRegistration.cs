using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Configuration;

public static class OptionsRegistration
{
    /// <summary>
    /// The one way options are registered: bound from <paramref name="section"/>, validated by
    /// <typeparamref name="TValidator"/> (which reports through <see cref="SettingErrors"/>) and checked at start,
    /// so a bad value stops the host with a message naming the setting and the value.
    /// </summary>
    /// <param name="bind">How the section binds, when it is not the options' own properties (e.g. a dictionary of policies).</param>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(
        this IServiceCollection services, string section, Action<TOptions, IConfigurationSection>? bind = null)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        var builder = services.AddOptions<TOptions>();
        builder = bind is null
            ? builder.BindConfiguration(section)
            : builder.Configure<IConfiguration>((options, configuration) => bind(options, configuration.GetSection(section)));
        return builder.ValidateOnStart();
    }
}
