using System.CommandLine;
using Huntaze.Cli.Tokens;

var root = new RootCommand("Huntaze operators' tool.");
root.Subcommands.Add(TokenCommand.Create());
return root.Parse(args).Invoke();
