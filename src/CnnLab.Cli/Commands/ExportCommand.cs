using System.CommandLine;
using System.Text;
using CnnLab.Engine;
using CnnLab.Export;
using CnnLab.Models;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab export MODEL --out DIR [--format onnx]</c>: the model as
/// a PyTorch module, state_dict (.pt) and safetensors, or as ONNX.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var modelPath = CommonOptions.ModelFile();
        var output = new Option<string>("--out") { Description = "Folder to write NAME.py, NAME.pt and NAME.safetensors to.",
            DefaultValueFactory = _ => "export" };
        var name =
            new Option<string?>("--name") { Description = "Name of the files (default: the model file's name, made a Python identifier)." };
        var format = new Option<string>("--format")
        {
            Description = $"pytorch: NAME.py, NAME.pt and NAME.safetensors; onnx: NAME.onnx (opset {OnnxExport.Opset}, dynamic batch, " +
                $"class names and input scaling in its metadata).",
            DefaultValueFactory = _ => "pytorch",
        };
        format.AcceptOnlyFromAmong("pytorch", "onnx");
        var command = new Command("export",
            "Export a saved model to PyTorch (a generated torch.nn module, its state_dict (.pt) and safetensors) or to ONNX.")
        {
            modelPath, output, name, format,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            TorchEngine.Configure(1);
            var path = parse.GetValue(modelPath)!;
            using var model = KerasModel.Load(path);
            if (parse.GetValue(format) == "onnx")
            {
                Directory.CreateDirectory(parse.GetValue(output)!);
                var file = Path.Combine(parse.GetValue(output)!, (parse.GetValue(name) ?? ModuleName(path)) + ".onnx");
                OnnxExport.Export(model, file);
                Console.WriteLine($"Wrote {file}.");
                return 0;
            }
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
