using System.CommandLine;
using CnnLab.Dashboard;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab serve [DIR...]</c>: the read-only dashboard over results folders, in the browser.</summary>
internal static class ServeCommand
{
    /// <summary>The environment variable a token may come from (kept out of shell history and process lists).</summary>
    public const string TokenVariable = "CNNLAB_DASHBOARD_TOKEN";

    public static Command Create()
    {
        var folders = new Argument<string[]>("DIR") { Description = "Results folders, or folders holding them (default: runs).",
            Arity = ArgumentArity.ZeroOrMore };
        var port = CommonOptions.OptionalInteger("--port", "The port (default 5000; 0 picks a free one).", minimum: 0, maximum: 65_535);
        var host = new Option<string?>("--host") { Description = "The address to listen on (default 127.0.0.1, this machine only). " +
            "Any other needs --token." };
        var token = new Option<string?>("--token") { Description = $"The token every request must carry (or {TokenVariable})." };
        var command = new Command("serve", "A read-only dashboard of studies and searches as they run, in the browser: task tables, " +
            "curves that gain a point each epoch, leaderboards, the reports.") { folders, port, host, token };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var given = parse.GetValue(folders) is { Length: > 0 } list ? list : new[] { "runs" };
            var options = new DashboardOptions(given, parse.GetValue(host) ?? "127.0.0.1", parse.GetValue(port) ?? 5000,
                parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable));
            if (!options.IsLocal)
            {
                Console.Error.WriteLine($"warning: --host {options.Host} lets other machines reach the dashboard; every request must " +
                    "carry the token, and the traffic is plain HTTP (use an SSH tunnel or a TLS proxy on an untrusted network).");
            }
            var server = DashboardServer.StartAsync(options).GetAwaiter().GetResult();
            var address = options.Token is { Length: > 0 } t
                ? $"{server.Address}?token={Uri.EscapeDataString(t)}"
                : server.Address.ToString();
            Console.WriteLine($"Dashboard of {string.Join(", ", server.Catalog.Roots)}: {address} (Ctrl+C stops it)");
            server.WaitForShutdownAsync().GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }
}
