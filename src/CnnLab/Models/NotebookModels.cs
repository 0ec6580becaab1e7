using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Optimizers;

namespace CnnLab.Models;

/// <summary>A named model of the notebook: how to build it and the optimizer it was trained with.</summary>
public sealed record NotebookModel(string Name, string Title, string Description, Func<Shape, int, long?, Sequential> Build,
    Func<Optimizer> Optimizer);

/// <summary>
/// The five models of the course notebook, written with the public layer API. Every block is
/// Conv2D x2 ('same' padding) + LeakyReLU, then MaxPooling2D(2); the head is Flatten, Dense 32, Dense 32
/// (LeakyReLU) and Dense softmax over the classes (10 in the notebook). Blocks: 20 filters 3x3, 40 filters 2x2, [60 filters 2x2].
/// </summary>
public static class NotebookModels
{
    private static readonly (int Filters, int Kernel)[] TwoBlocks = { (20, 3), (40, 2) };
    private static readonly (int Filters, int Kernel)[] ThreeBlocks = { (20, 3), (40, 2), (60, 2) };

    /// <summary>All five, in the notebook's order.</summary>
    public static readonly IReadOnlyList<NotebookModel> All = new NotebookModel[]
    {
        new("m3-leaky", "3 blocks, Adam", "3 VGG blocks (20, 40, 60 filters), LeakyReLU, Adam: 56,318 parameters.",
            (shape, classes, seed) => Build("m3-leaky", ThreeBlocks, BatchNormPlacement.None, shape, classes, seed), () => new Adam()),
        new("m2-leaky", "2 blocks, Adam", "2 VGG blocks (20, 40 filters), LeakyReLU, Adam: 77,638 parameters.",
            (shape, classes, seed) => Build("m2-leaky", TwoBlocks, BatchNormPlacement.None, shape, classes, seed), () => new Adam()),
        new("m2-bn-before", "2 blocks, BN before, RMSprop",
            "2 VGG blocks with BatchNormalization before each LeakyReLU, RMSprop: 78,374 parameters.",
            (shape, classes, seed) => Build("m2-bn-before", TwoBlocks, BatchNormPlacement.Before, shape, classes, seed),
                () => new RMSprop()),
        new("m2-bn-before-adam", "2 blocks, BN before, Adam",
            "2 VGG blocks with BatchNormalization before each LeakyReLU, Adam: 78,374 parameters.",
            (shape, classes, seed) => Build("m2-bn-before-adam", TwoBlocks, BatchNormPlacement.Before, shape, classes, seed),
                () => new Adam()),
        new("m2-bn-after", "2 blocks, BN after, RMSprop",
            "2 VGG blocks with BatchNormalization after each LeakyReLU, RMSprop: 78,374 parameters.",
            (shape, classes, seed) => Build("m2-bn-after", TwoBlocks, BatchNormPlacement.After, shape, classes, seed), () => new RMSprop()),
    };

    /// <summary>The names, in order.</summary>
    public static IEnumerable<string> Names => All.Select(m => m.Name);

    /// <summary>A model by name; an unknown name is an error listing the known ones.</summary>
    public static NotebookModel Get(string name) =>
        All.FirstOrDefault(m => m.Name == name) ?? throw new ArgumentException(
            $"Unknown model \"{name}\". Expected one of: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>Builds the model for Fashion-MNIST's (28, 28, 1) input and 10
    /// classes unless told otherwise, compiled with its optimizer.</summary>
    public static Sequential Create(string name, Shape? inputShape = null, long? seed = null, int classes = 10)
    {
        var spec = Get(name);
        var model = spec.Build(inputShape ?? Shape.Image(28, 28, 1), classes, seed);
        model.Compile(spec.Optimizer());
        return model;
    }

    private static Sequential Build(string name, (int Filters, int Kernel)[] blocks, BatchNormPlacement batchNorm, Shape inputShape,
        int classes, long? seed) =>
        new VggTemplate
        {
            Blocks = blocks.Select(b => (IReadOnlyList<int>)new[] { b.Filters, b.Filters }).ToList(),
            KernelSizes = blocks.Select(b => b.Kernel).ToList(),
            BatchNorm = batchNorm,
        }.Build(inputShape, classes, seed, name);
}
