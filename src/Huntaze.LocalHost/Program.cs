using Huntaze.LocalHost;

await LocalHostApp.Build(args).RunAsync();
