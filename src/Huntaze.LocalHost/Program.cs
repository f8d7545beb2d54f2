using Huntaze.LocalHost;

// `--write-openapi PATH` writes the app's OpenAPI document (docs/api/openapi.json) and exits: no host, no Azurite.
if (args is ["--write-openapi", var path])
{
    await File.WriteAllTextAsync(path, await Huntaze.Functions.Platform.OpenApi.ApiContract.RenderJsonAsync(CancellationToken.None));
    return;
}

// --no-local-settings: read only the environment and the command line (tests starting this process).
const string NoLocalSettings = "--no-local-settings";
await LocalHostApp.Build([.. args.Where(a => a != NoLocalSettings)], new LocalHostOptions { UseLocalSettingsFile = !args.Contains(NoLocalSettings) }).RunAsync();
