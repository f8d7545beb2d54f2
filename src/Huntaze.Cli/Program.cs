using System.CommandLine;
using Huntaze.Cli.Backups;
using Huntaze.Cli.Privacy;
using Huntaze.Cli.Rollout;
using Huntaze.Cli.Observability;
using Huntaze.Cli.Tokens;

var root = new RootCommand("Huntaze operators' tool.");
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(BackupCommands.Backup());
root.Subcommands.Add(BackupCommands.Restore());
root.Subcommands.Add(DsrCommand.Create());
root.Subcommands.Add(RolloutCommand.Create());
root.Subcommands.Add(DashboardsCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
