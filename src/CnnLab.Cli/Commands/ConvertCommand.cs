using System.CommandLine;
using CnnLab.Data;
using CnnLab.Models;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab convert MODEL OUT.safetensors</c>: a Keras file (or any model CnnLab reads) as a CnnLab model file.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("MODEL") { Description = "A Keras file (.h5 of Keras 2 / tf.keras, .keras of Keras 3) " +
            "or a CnnLab model (.safetensors)." };
        var output = new Argument<string>("OUT") { Description = "The CnnLab model file to write (.safetensors)." };
        var scale = CommonOptions.OptionalNumber("--input-scale",
            "What the Keras model's inputs were multiplied by relative to [0, 1] pixels: 255 for a model trained on raw 0-255 images. " +
            "Default 1 (trained on x / 255, as the notebook).", minimum: 1e-6, maximum: 1e6, example: "255");
        var classNames = new Option<string?>("--class-names") { Description =
            "Comma-separated class names to keep in the file (Keras files do not store them)." };
        var command = new Command("convert",
            "Write a Keras model (or any model CnnLab reads) as a CnnLab model file; evaluate, predict and export then take it.")
        {
            input, output, scale, classNames,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var target = parse.GetValue(output)!;
            if (!target.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"OUT must be a .safetensors file; received \"{target}\".");
            }
            using var model = KerasModel.Load(parse.GetValue(input)!);
            if (parse.GetValue(scale) is double s && s != 1)
            {
                // CnnLab feeds [0, 1] pixels; a Rescaling first gives the model the s-times larger inputs it was trained on.
                model.ScaleInputs(s);
            }
            if (parse.GetValue(classNames) is { } names)
            {
                var list = names.Split(',').Select(n => n.Trim()).ToArray();
                if (list.Length != model.OutputShape!.Channels)
                {
                    throw new ArgumentException($"--class-names gives {list.Length} names; " +
                        $"the model has {model.OutputShape.Channels} outputs.");
                }
                model.ClassNames = list;
            }
            model.Save(target);
            Console.WriteLine($"Wrote {target}: {model.Layers.Count} layers, {model.ParamCount:N0} parameters, input {model.InputShape}.");
            return 0;
        }));
        return command;
    }
}
