using System.CommandLine;

namespace Huntaze.Cli.Tokens;

/// <summary>
/// <c>huntaze token --user u1 --role admin --role dpo --market FR [--minutes 60]</c>: prints a development
/// token that the API accepts when it runs in Development. Key, issuer and audience come from the
/// options or from <c>Auth__DevelopmentSigningKey</c>, <c>Auth__Issuer</c>, <c>Auth__Audience</c> in local.settings.json.
/// </summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = "The token's subject (sub).", Required = true };
        var roles = new Option<string[]>("--role") { Description = "A role (user, admin, dpo, support); repeat for several.", DefaultValueFactory = _ => ["user"] };
        var market = new Option<string?>("--market") { Description = "The market claim, an ISO country code such as FR." };
        var minutes = new Option<int>("--minutes") { Description = "Lifetime in minutes.", DefaultValueFactory = _ => 60 };
        var settings = new Option<FileInfo?>("--settings") { Description = "local.settings.json to read (default: the nearest one up from the current directory)." };
        var key = new Option<string?>("--key") { Description = "Base64 signing key (overrides Auth__DevelopmentSigningKey)." };
        var issuer = new Option<string?>("--issuer") { Description = "Issuer (overrides Auth__Issuer)." };
        var audience = new Option<string?>("--audience") { Description = "Audience (overrides Auth__Audience)." };
        minutes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 24 * 60)
            {
                r.AddError("--minutes must be between 1 and 1440.");
            }
        });

        var command = new Command("token", "Print a development access token.") { user, roles, market, minutes, settings, key, issuer, audience };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(settings)?.FullName ?? LocalSettings.Find(Directory.GetCurrentDirectory());
            var values = path is not null && File.Exists(path) ? LocalSettings.ReadValues(path) : new Dictionary<string, string>();
            var signingKey = parse.GetValue(key) ?? values.GetValueOrDefault("Auth__DevelopmentSigningKey");
            var tokenIssuer = parse.GetValue(issuer) ?? values.GetValueOrDefault("Auth__Issuer");
            var tokenAudience = parse.GetValue(audience) ?? values.GetValueOrDefault("Auth__Audience");
            if (string.IsNullOrWhiteSpace(signingKey) || string.IsNullOrWhiteSpace(tokenIssuer) || string.IsNullOrWhiteSpace(tokenAudience))
            {
                parse.InvocationConfiguration.Error.WriteLine($"Signing key, issuer and audience are required: pass --key/--issuer/--audience or set Auth__DevelopmentSigningKey, Auth__Issuer and Auth__Audience in {path ?? LocalSettings.FileName}.");
                return 2;
            }

            try
            {
                parse.InvocationConfiguration.Output.WriteLine(DevTokenFactory.Create(
                    new DevTokenRequest(parse.GetValue(user)!, parse.GetValue(roles) ?? ["user"], parse.GetValue(market), tokenIssuer, tokenAudience, signingKey, TimeSpan.FromMinutes(parse.GetValue(minutes))),
                    DateTimeOffset.UtcNow));
                return 0;
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"Cannot sign: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
