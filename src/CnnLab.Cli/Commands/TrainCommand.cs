using System.CommandLine;
using System.Globalization;
using CnnLab.Data;
using CnnLab.Engine;
using CnnLab.Formats;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Studies.Reporting;
using CnnLab.Training;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab train</c>: trains a named model on the chosen dataset
/// (Fashion-MNIST by default), then prints the History and the test accuracy.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("m3-leaky");
        var epochs = CommonOptions.Integer("--epochs", "Passes over the training data.", 20, maximum: 100_000);
        var batchSize = CommonOptions.Integer("--batch-size", "Samples per step.", 50);
        var optimizer = new Option<string?>("--optimizer") { Description =
            $"Optimizer with Keras' defaults: {string.Join(", ", OptimizerCatalog.Names)} (default: the model's own)." };
        var learningRate = CommonOptions.OptionalPositiveNumber("--learning-rate",
            "Learning rate (default: the optimizer's Keras default).");
        var validationSplit = new Option<double>("--validation-split") { Description = "Fraction in [0, 1) of the training set held out, " +
            "taken from its end as Keras does.", DefaultValueFactory = _ => 0.3 };
        var seed = new Option<long>("--seed") { Description = "Seed of the initial weights and the shuffles.",
            DefaultValueFactory = _ => 1 };
        var threads = CommonOptions.Threads();
        var stratify = new Option<bool>("--stratify") { Description = "Hold out a stratified random validation fraction (seeded) " +
            "instead of Keras' last fraction." };
        var standardize = new Option<bool>("--standardize") { Description =
            "Standardise each channel with the training split's mean and std instead of scaling to [0, 1] only." };
        var limit = CommonOptions.OptionalInteger("--limit", "Keep only the first N training samples, for quick runs.");
        var device = CommonOptions.Device();
        var precision = CommonOptions.Precision();
        var save = new Option<string?>("--save") { Description = "Save the trained model (architecture and weights, " +
            "one safetensors file) to this path; Sequential.Load reads it back." };

        var command = new Command("train",
            "Train a model with Keras' fit semantics on a dataset (Fashion-MNIST by default), then evaluate it on the test set.")
        {
            model, epochs, batchSize, optimizer, learningRate, validationSplit, stratify, standardize, seed, threads, limit, device,
            precision, save,
        };
        var data = new DataOptions(command);
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var threadCount = TorchEngine.Configure(parse.GetValue(threads));
            var deviceName = parse.GetValue(device)!;
            ComputeDevice.Parse(deviceName);
            var spec = NotebookModels.Get(parse.GetValue(model)!);
            // Where the model will be saved is checked now, not after the training it would lose.
            if (parse.GetValue(save) is { } savePath)
            {
                AtomicFile.Target(savePath);
            }
            using var opened = data.Open(parse);
            using var limitedTrain = parse.GetValue(limit) is int n ? opened.Train.Take(n) : null;
            var splits = limitedTrain is null ? opened : opened with { Train = limitedTrain };
            var (train, test) = splits;
            var modelSeed = parse.GetValue(seed);
            using var network = spec.Build(train.InputShape, train.ClassCount, modelSeed);
            network.ClassNames = splits.ClassNames;
            network.TrainingDataset = splits.Spec;
            if (parse.GetValue(standardize))
            {
                // The model's first layer, so the saved model standardises what it is given wherever it runs.
                network.StandardizeInputs(train.Images);
            }
            var optimizerName = parse.GetValue(optimizer);
            var rate = parse.GetValue(learningRate);
            network.Compile(optimizerName is null && rate is null ? spec.Optimizer()
                : OptimizerCatalog.Get(optimizerName ?? spec.Optimizer().Name, rate));
            network.ToDevice(deviceName);
            Console.WriteLine($"{spec.Title} ({spec.Name}): {network.ParamCount:N0} parameters, {network.Optimizer}, " +
                              $"{splits.Name} from {OptionNames.ForCommandLine(splits.Source)}, {train.Count} training samples, " +
                              $"{threadCount} thread(s)");
            var split = parse.GetValue(validationSplit);
            var options = new FitOptions
            {
                BatchSize = parse.GetValue(batchSize), Epochs = parse.GetValue(epochs), Seed = modelSeed,
                Precision = MixedPrecision.Parse(parse.GetValue(precision)!),
            };
            History history;
            if (parse.GetValue(stratify) && split > 0)
            {
                var (kept, held) = StratifiedSplit.Split(train, split, modelSeed);
                using (kept)
                using (held)
                {
                    history = network.Fit(kept.Images, kept.Labels, options with { ValidationData = (held.Images, held.Labels) });
                }
            }
            else
            {
                history = network.Fit(train.Images, train.Labels, options with { ValidationSplit = split });
            }
            Console.WriteLine();
            Console.Write(history.ToString());
            // Evaluated as it trained: Keras' dtype policy holds for the whole model, not only for fit.
            using var policy = MixedPrecision.Use(history.Precision);
            var result = network.Evaluate(test.Images, test.Labels, batchSize: 500);
            var mixed = history.Precision == Precision.Float32 ? "" : $", {MixedPrecision.Name(history.Precision)}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Test accuracy: {result.Accuracy:F4} (loss {result.Loss:F4}, {result.Samples} images); " +
                $"mean {history.EpochSeconds.DefaultIfEmpty(0).Average():F1} s per epoch{mixed}"));
            if (parse.GetValue(save) is { } path)
            {
                network.Save(path);
                Console.WriteLine($"Saved the model to {path}");
            }
            return 0;
        }));
        return command;
    }
}
