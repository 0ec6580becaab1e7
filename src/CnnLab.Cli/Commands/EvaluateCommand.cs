using System.CommandLine;
using System.Text.Json;
using CnnLab.Metrics;
using CnnLab.Models;
using CnnLab.Studies.Reporting;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab evaluate MODEL</c>: a saved model's accuracy, per-class
/// precision / recall / F1 and confusion matrix on a dataset's test split.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var modelPath = CommonOptions.ModelFile();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var threads = CommonOptions.Threads();
        var augmentation = CommonOptions.TestTimeAugmentation();
        var engine = CommonOptions.Engine();
        var command = new Command("evaluate",
            "Evaluate a saved model on a dataset's test split (without --dataset, the one it was trained on, kept in the model file): " +
            "accuracy, per-class precision, recall, F1 and the confusion matrix.")
        {
            modelPath, json, augmentation, engine, threads,
        };
        var data = new DataOptions(command);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var path = parse.GetValue(modelPath)!;
            using var model = ModelOpener.Open(path, parse.GetValue(engine)!, parse.GetValue(threads));
            using var splits = data.Open(parse, model.TrainingDataset);
            var test = splits.Test;
            if (!Equals(model.InputShape, test.InputShape) || model.ClassCount != test.ClassCount)
            {
                throw new ArgumentException(
                    $"{path}: the model takes {model.InputShape} images and predicts {model.ClassCount} classes; " +
                    $"{splits.Name} has {test.InputShape} images and {test.ClassCount} classes. Evaluate it on the data it was " +
                    $"trained for.");
            }
            if (model.ClassNames is { } classes && !classes.SequenceEqual(test.ClassNames))
            {
                throw new ArgumentException(
                    $"{path}: the model's classes are " +
                    $"{string.Join(", ", classes)}{(model.TrainingDataset is { } trained ? $" (trained on {trained})" : "")} " +
                    $"but {splits.Name} has classes {string.Join(", ", test.ClassNames)}. Evaluate it on the data it was trained for" +
                    $"{(model.TrainingDataset is { } again ? $" (--dataset {again}, the default for this model)" : "")}.");
            }
            // Prepared as in training: the loader scales to [0, 1]; the model applies any standardisation it carries.
            using var probabilities = model.Predict(test.Images, 50, CommonOptions.TestTimeAugmentationOf(parse.GetValue(augmentation)!));
            FiniteOutputs.Check(model, probabilities, path, i => $"test image {i} of {splits.Name}");
            using var predicted = probabilities.argmax(1);
            var report = ClassificationReport.Compute(test.Labels.data<long>().ToArray(), predicted.data<long>().ToArray(),
                test.ClassNames);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = path,
                    dataset = splits.Name,
                    samples = test.Count,
                    accuracy = report.Accuracy,
                    classes = report.Classes.Select(c =>
                        new { name = c.Name, precision = c.Precision, recall = c.Recall, f1 = c.F1, support = c.Support }),
                    macro_f1 = report.MacroF1,
                    confusion = report.Confusion,
                }, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{path} on {splits.Name} ({test.Count} test images)");
                Console.Write(report.ToTable());
            }
            return 0;
        }));
        return command;
    }
}
