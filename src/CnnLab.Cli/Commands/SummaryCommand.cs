using System.CommandLine;
using CnnLab.Core;
using CnnLab.Data;
using CnnLab.Formats;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Studies.Experiments;

namespace CnnLab.Cli.Commands;

/// <summary>
/// <c>cnnlab summary [SOURCE]</c>: Keras' summary table of a named model, of each run's model in a study file (for the
/// study's dataset), of a Keras-style JSON config (<c>model.ToJson()</c>), of a saved CnnLab model file or of a Keras file.
/// </summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var source = new Argument<string?>("SOURCE")
        {
            Description = $"A model name ({string.Join(", ", NotebookModels.Names)}), a study file (.yaml), a JSON config (.json), " +
                $"a saved model (.safetensors) or a Keras file (.h5, .keras).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var model = new Option<string?>("--model") { Description = "A model name (the same as SOURCE; kept for older scripts)." };
        var command = new Command("summary",
            "Print a model's layers, output shapes and parameter counts, as Keras' model.summary().") { source, model };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var what = parse.GetValue(source) ?? parse.GetValue(model) ?? "m3-leaky";
            if (NotebookModels.Names.Contains(what) || (parse.GetValue(source) is null && parse.GetValue(model) is not null))
            {
                using var built = NotebookModels.Create(what, seed: 0);
                Console.WriteLine(built.Summary());
                return 0;
            }
            if (!File.Exists(what))
            {
                throw new FileNotFoundException(
                    $"{what} is neither a model name ({string.Join(", ", NotebookModels.Names)}) nor an existing file (a study .yaml, " +
                    $"a model .json or .safetensors, a Keras .h5 or .keras).");
            }
            switch (Path.GetExtension(what).ToLowerInvariant())
            {
                case ".yaml" or ".yml":
                    Study(what);
                    break;
                case ".json":
                    // Read within its limits, parsed naming the file in any error.
                    using (var fromJson = CnnLab.Models.Saving.ModelFile.AnyFromJson(
                        FileKinds.ReadText(what, ModelLimits.MaxConfigBytes, "a model config (.json)"), what))
                    {
                        Console.WriteLine(fromJson.Summary());
                    }
                    break;
                case ".safetensors" or ".h5" or ".hdf5" or ".keras":
                    using (var loaded = KerasModel.Load(what))
                    {
                        Console.WriteLine(loaded.Summary());
                    }
                    break;
                default:
                    throw new ArgumentException($"{what}: summary reads a study file (.yaml, .yml), a model config (.json), " +
                        $"a saved model (.safetensors) or a Keras file (.h5, .keras); received a {Path.GetExtension(what)} file.");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Each run's model, built for the study's dataset (its input shape and class count).</summary>
    private static void Study(string file)
    {
        var study = StudyParser.ParseFile(file);
        var (shape, classes) = InputAndClasses(study);
        foreach (var run in study.Runs)
        {
            using var built = RunRecipe.Model(run, shape, classes, seed: 0);
            Console.WriteLine($"Run \"{run.Name}\" ({run.Model}), for {study.Dataset.Name}: input {shape}, {classes} classes");
            Console.WriteLine(built.Summary());
        }
    }

    /// <summary>A dataset CnnLab knows by name is not read (its files may not be here yet); a folder or CSV is.</summary>
    private static (Shape Shape, int Classes) InputAndClasses(StudyDefinition study)
    {
        if (DatasetCatalog.Find(study.Dataset.Name) is { } known)
        {
            return (known.InputShape, known.ClassNames.Count);
        }
        using var data = StudyData.Open(study);
        return (data.Splits.InputShape, data.Splits.Train.ClassCount);
    }
}
