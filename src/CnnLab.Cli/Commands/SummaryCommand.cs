using System.CommandLine;
using CnnLab.Models;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab summary --model NAME</c>: prints Keras' summary table of a named model.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("m3-leaky");
        var command = new Command("summary", "Print a model's layers, output shapes and parameter counts, as Keras' model.summary().") { model };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            using var built = NotebookModels.Create(parse.GetValue(model)!, seed: 0);
            Console.WriteLine(built.Summary());
            return 0;
        }));
        return command;
    }
}
