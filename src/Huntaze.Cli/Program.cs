using System.CommandLine;
using Huntaze.Cli.Observability;
using Huntaze.Cli.Tokens;

var root = new RootCommand("Huntaze operators' tool.");
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(DashboardsCommand.Create());
return root.Parse(args).Invoke();
