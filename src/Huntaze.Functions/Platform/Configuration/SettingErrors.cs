using System.Globalization;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Platform.Configuration;

/// <summary>
/// The failures of one options type, each naming the setting by its configuration path
/// (<c>Onboarding:ConflictRetries</c>; <c>Onboarding__ConflictRetries</c> in app settings) and the value
/// found, so a stopped start-up says exactly what to fix. Secrets are described, never echoed.
/// </summary>
public sealed class SettingErrors(string section)
{
    private readonly List<string> _failures = [];

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Records a failure unless <paramref name="valid"/>: "<c>{section}:{setting}</c> is {value}; {rule}".</summary>
    public SettingErrors Require(bool valid, string setting, object? value, string rule)
    {
        if (!valid)
        {
            _failures.Add($"{PathOf(setting)} is {Format(value)}; {rule}");
        }

        return this;
    }

    /// <summary>As <see cref="Require"/> for a secret: the message gives its length, not its value.</summary>
    public SettingErrors RequireSecret(bool valid, string setting, string? value, string rule)
    {
        if (!valid)
        {
            _failures.Add($"{PathOf(setting)} is {(string.IsNullOrEmpty(value) ? "empty" : $"a secret of {value.Length} characters (not shown)")}; {rule}");
        }

        return this;
    }

    public ValidateOptionsResult ToResult() => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    public string PathOf(string setting) => setting.Length == 0 ? section : $"{section}:{setting}";

    private static string Format(object? value) => value switch
    {
        null => "empty",
        string { Length: 0 } => "empty",
        string s => $"'{s}'",
        Uri uri => $"'{uri.OriginalString}'",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => $"'{value}'",
    };
}
