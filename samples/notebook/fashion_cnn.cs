#:project ../../src/CnnLab/CnnLab.csproj
#:project ../../src/CnnLab.Studies/CnnLab.Studies.csproj
// The course notebook "Deep CNNs and regularization with Fashion-MNIST", cell by cell, as a .NET 10 file-based app:
//   dotnet run samples/notebook/fashion_cnn.cs              the notebook's settings (20 epochs per model, tens of minutes)
//   dotnet run samples/notebook/fashion_cnn.cs -- --quick   3,000 images and 2 epochs: about a minute
// Pictures go to samples/notebook/out/ (the sample grid and each model's accuracy curves).
using System.Diagnostics;
using CnnLab.Core;
using CnnLab.Data;
using CnnLab.Engine;
using CnnLab.Models;
using CnnLab.Studies.Reporting;
using CnnLab.Training;
using CnnLab.Training.Callbacks;
using CnnLab.Training.Schedules;

var quick = args.Contains("--quick");
var epochs = quick ? 2 : 20;
var output = Path.Combine(Path.GetDirectoryName(AppContext.GetData("EntryPointFilePath") as string ?? ".") ?? ".", "out");
Directory.CreateDirectory(output);
TorchEngine.Configure(Environment.ProcessorCount);

// ## 1. Loading the data
// Fashion-MNIST: 60,000 training and 10,000 test images of 28 x 28 grey pixels, ten classes of clothing.
using var data = FashionMnist.Load();
var train = quick ? data.Train.Take(3000) : data.Train;
Console.WriteLine($"train: {train.Count} images, test: {data.Test.Count}, input {train.InputShape}, classes: " +
    string.Join(", ", data.Train.ClassNames));
SampleGrid.Save(data.Train, Path.Combine(output, "samples.png"));
Console.WriteLine($"A grid of training images: {Path.Combine(output, "samples.png")}");

// ## 2. The models
// Three VGG blocks (Conv2D 'same' + LeakyReLU, MaxPooling2D), then two blocks, then two blocks with
// BatchNormalization before or after the activation; each with the notebook's optimizer. Keras' summary() of each.
var models = new[]
{
    ("m3-leaky", "3 blocks, Adam"), ("m2-leaky", "2 blocks, Adam"), ("m2-bn-before", "2 blocks, BN before, RMSprop"),
    ("m2-bn-before-adam", "2 blocks, BN before, Adam"), ("m2-bn-after", "2 blocks, BN after, RMSprop"),
};
var results = new List<(string Name, double TestAccuracy, double Seconds)>();
foreach (var (name, title) in models)
{
    Console.WriteLine($"\n## {title} ({name})");
    using var model = NotebookModels.Create(name, seed: 1);
    Console.WriteLine(model.Summary());

    // ## 3. Training: Keras' fit with validation_split=0.3 (the last 30% held out), batch 50.
    var clock = Stopwatch.StartNew();
    var history = model.Fit(train.Images, train.Labels, batchSize: 50, epochs: epochs, validationSplit: 0.3, seed: 1);
    var seconds = clock.Elapsed.TotalSeconds;

    // ## 4. Accuracy per epoch, training and validation.
    var chart = Charts.Curves($"{title}: accuracy per epoch", "accuracy",
        new[] { ("accuracy", history.Accuracy), ("val_accuracy", history.ValAccuracy) }, trainValPairs: true);
    File.WriteAllBytes(Path.Combine(output, $"{name}-accuracy.png"), chart);

    // ## 5. Evaluation on the test set.
    var evaluation = model.Evaluate(data.Test.Images, data.Test.Labels);
    Console.WriteLine($"test: {evaluation}; {seconds:F1} s of training");
    results.Add((title, evaluation.Accuracy, seconds));
}

// ## 6. Comparing the models
Console.WriteLine("\n| model | test accuracy | training s |\n| --- | ---: | ---: |");
foreach (var (name, accuracy, seconds) in results.OrderByDescending(r => r.TestAccuracy))
{
    Console.WriteLine($"| {name} | {accuracy:F4} | {seconds:F1} |");
}

// ## 7. Exercise 1: a faster and more accurate architecture
// The fast recipe of experiments/fast.yaml: a cheap first stage (8 filters at full resolution), 2 x 2 kernels after it,
// BatchNormalization before every ReLU, all training images without a validation pass, batch 128, a one-cycle rate.
var fast = new VggTemplate
{
    Blocks = new[] { new[] { 8 }, new[] { 32 }, new[] { 96 } },
    KernelSizes = new[] { 3, 2, 2 },
    BatchNorm = BatchNormPlacement.Before,
    Activation = "relu",
    Dense = new[] { 64 },
}.Build(Shape.Image(28, 28, 1), 10, seed: 1, name: "fast");
fast.Compile(new CnnLab.Optimizers.Adam());
var fastEpochs = quick ? 1 : 4;
var fastClock = Stopwatch.StartNew();
fast.Fit(train.Images, train.Labels, new FitOptions
{
    BatchSize = 128, Epochs = fastEpochs, Seed = 1,
    Callbacks = new Callback[] { new LearningRateScheduler(new OneCycle(maxRate: 0.01, epochs: fastEpochs)) },
});
var fastSeconds = fastClock.Elapsed.TotalSeconds;
var fastTest = fast.Evaluate(data.Test.Images, data.Test.Labels);
Console.WriteLine($"\n## Exercise 1, the fast recipe: test {fastTest}; {fastSeconds:F1} s of training ({fastEpochs} epoch(s))");
fast.Dispose();
