using System.CommandLine;
using System.Text;
using CnnLab.Engine;
using CnnLab.Models;
using CnnLab.Saving;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab export MODEL --out DIR</c>: the model as a PyTorch module, state_dict (.pt) and safetensors.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var modelPath = CommonOptions.ModelFile();
        var output = new Option<string>("--out") { Description = "Folder to write NAME.py, NAME.pt and NAME.safetensors to.", DefaultValueFactory = _ => "export" };
        var name = new Option<string?>("--name") { Description = "Python module name of the files (default: the model file's name, made a Python identifier)." };
        var command = new Command("export", "Export a saved model to PyTorch: a generated torch.nn.Sequential module, its state_dict (.pt) and safetensors with the same names.")
        {
            modelPath, output, name,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            TorchEngine.Configure(1);
            var path = parse.GetValue(modelPath)!;
            using var model = Sequential.Load(path);
            var files = PyTorchExport.Export(model, parse.GetValue(output)!, parse.GetValue(name) ?? ModuleName(path));
            Console.WriteLine($"Wrote {files.Module}, {files.StateDict} and {files.SafeTensors}.");
            return 0;
        }));
        return command;
    }

    private static string ModuleName(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        var name = new StringBuilder();
        foreach (var c in stem)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        return name.Length == 0 || char.IsDigit(name[0]) ? "model_" + name : name.ToString();
    }
}
