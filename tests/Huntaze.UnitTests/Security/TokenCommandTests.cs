using Huntaze.Cli.Tokens;
using Huntaze.Functions.Security.Authentication;

namespace Huntaze.UnitTests.Security;

public sealed class TokenCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("huntaze-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Token_SettingsFromLocalSettings_AcceptedByTheApiValidator()
    {
        var key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray());
        var settings = Path.Combine(_directory, LocalSettings.FileName);
        await File.WriteAllTextAsync(settings, $$"""
            { "IsEncrypted": false, "Values": { "Auth__DevelopmentSigningKey": "{{key}}", "Auth__Issuer": "https://huntaze.local/dev", "Auth__Audience": "api://huntaze-onboarding" } }
            """, TestContext.Current.CancellationToken);
        using var output = new StringWriter();

        var exit = TokenCommand.Create().Parse(["--user", "u1", "--role", "admin", "--role", "dpo", "--market", "FR", "--settings", settings]).Invoke(new() { Output = output });

        Assert.Equal(0, exit);
        var validator = new TokenValidator(
            new AuthOptions { Issuer = "https://huntaze.local/dev", Audience = "api://huntaze-onboarding", DevelopmentSigningKey = key },
            developmentKeyAllowed: true, metadata: null, TimeProvider.System);
        var result = await validator.ValidateAsync(output.ToString().Trim(), TestContext.Current.CancellationToken);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(["admin", "dpo"], result.Caller!.Roles.Order());
        Assert.Equal("FR", result.Caller.Market);
    }

    [Fact]
    public void Token_NoKeyAnywhere_ExitCode2()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = TokenCommand.Create().Parse(["--user", "u1", "--settings", Path.Combine(_directory, "missing.json")]).Invoke(new() { Output = output, Error = error });

        Assert.Equal(2, exit);
        Assert.Empty(output.ToString());
    }
}
