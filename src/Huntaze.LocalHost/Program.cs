using Huntaze.LocalHost;

// `--write-openapi PATH` writes the app's OpenAPI document (docs/api/openapi.json) and exits: no host, no Azurite.
if (args is ["--write-openapi", var path])
{
    await File.WriteAllTextAsync(path, await Huntaze.Functions.Platform.OpenApi.ApiContract.RenderJsonAsync(CancellationToken.None));
    return;
}

await LocalHostApp.Build(args).RunAsync();
