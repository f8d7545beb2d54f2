using Huntaze.LocalHost;

// --no-local-settings: read only the environment and the command line (tests starting this process).
const string NoLocalSettings = "--no-local-settings";
await LocalHostApp.Build([.. args.Where(a => a != NoLocalSettings)], new LocalHostOptions { UseLocalSettingsFile = !args.Contains(NoLocalSettings) }).RunAsync();
